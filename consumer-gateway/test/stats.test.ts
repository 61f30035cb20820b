// GET /stats on both services: cluster-wide records published and consumed (totals and per-second means),
// topics, active topics, partitions, stored records and subscriptions.
// Single Redis only (vitest.config.ts): the counts are cluster-wide, so the test runs on a redis-server of its
// own where nothing else counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import type { ClusterStats } from '@tributary/core';
import { startRedis, type RunningServer } from '@tributary/local-stack';
import { testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';
import { Member } from './group-client.js';
import { client } from './stack.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-stats-'));
let redis: RunningServer | undefined;
let broker: Broker | undefined;
let gateway: Gateway | undefined;
afterAll(async () => {
  await gateway?.close();
  await broker?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function stats(service: Broker | Gateway): Promise<ClusterStats> {
  const response = await service.app.inject({ method: 'GET', url: '/stats' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

it('counts what every broker publishes and every gateway delivers, and what exists', async () => {
  redis = await startRedis({ dir });
  const brokerConfig = testConfig({ redisPort: redis.port });
  broker = await createBroker(brokerConfig);
  gateway = await createGateway(testConfig({ redisPort: redis.port, zookeeperRoot: brokerConfig.zookeeperRoot }));

  expect(await stats(broker)).toMatchObject({
    published_total: 0,
    consumed_total: 0,
    published_per_second: 0,
    topics: 0,
    active_topics: 0,
    partitions: 0,
    records_stored: 0,
    subscriptions: { emails: 0, groups: 0 },
  });

  const [events, idle, quiet] = [uniqueName('events'), uniqueName('idle'), uniqueName('quiet')];
  for (const [topic, partitions] of [[events, 2], [idle, 1], [quiet, 3]] as const) {
    expect((await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/${partitions}` })).statusCode).toBe(201);
  }
  await waitFor(() => gateway!.topics.get(events) && gateway!.topics.get(idle), { what: 'the gateway to see the topics' });
  // 10 records to one topic and 5 to another, then one of those again by id (a duplicate): 15 published.
  const records = (topic: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: i, id: `${topic}-${i}` }));
  for (const [topic, n] of [[events, 10], [idle, 5]] as const) {
    expect((await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { records: records(topic, n) } })).statusCode).toBe(200);
  }
  const again = await broker.app.inject({ method: 'POST', url: `/write/${idle}`, payload: { key: 'k0', value: 0, id: `${idle}-0` } });
  expect(again.json()).toMatchObject({ duplicate: true });

  // An email reads the 10 records of `events`; a group member fetches the 5 of `idle`: 15 consumed.
  const email = uniqueEmail();
  const api = client(gateway);
  expect((await api.subscribe(email, events)).statusCode).toBe(201);
  const read = await gateway.app.inject({ method: 'GET', url: `/read/${email}/${events}?max=100` });
  expect(read.json().messages).toHaveLength(10);
  const member = await Member.join(gateway, uniqueName('g'), { topics: [idle] });
  expect((await member.fetch('?max=100')).messages).toHaveLength(5);

  // Each process reports about once a second; the per-second means count complete seconds of the last minute.
  const settled = await waitFor(async () => {
    const answer = await stats(broker!);
    return answer.consumed_per_second === 15 / 60 && answer.published_per_second === 15 / 60 ? answer : undefined;
  }, { what: 'both services to report their counts', timeoutMs: 20_000 });
  expect(settled).toMatchObject({
    published_total: 15,
    consumed_total: 15,
    topics: 3,
    active_topics: 2,
    partitions: 6,
    records_stored: 15,
    subscriptions: { emails: 1, groups: 1 },
  });
  expect(new Date(settled.measured_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  // The gateway answers the same cluster-wide figures.
  await waitFor(async () => (await stats(gateway!)).consumed_total === 15, { what: 'the gateway to see them' });
  expect(await stats(gateway)).toMatchObject({ published_total: 15, topics: 3, partitions: 6, records_stored: 15 });
});
