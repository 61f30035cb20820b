// A Redis outage under the gateway: requests answer 503 quickly instead of hanging, a long poll that was
// waiting survives the outage (its subscription is restored and it re-reads), and service resumes.
// Single Redis only (vitest.config.ts): the test stops and restarts a redis-server of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { startRedis, type RunningServer } from '@tributary/local-stack';
import { testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';
import { client } from './stack.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-gateway-outage-'));
let redis: RunningServer | undefined;
let broker: Broker | undefined;
let gateway: Gateway | undefined;
afterAll(async () => {
  await gateway?.close();
  await broker?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('answers 503 while Redis is down, keeps a waiting read across the outage, and resumes', async () => {
  redis = await startRedis({ dir, appendfsync: 'always' });
  const port = redis.port;
  const brokerConfig = testConfig({ redisPort: port, redisTimeoutMs: 500 });
  broker = await createBroker(brokerConfig);
  gateway = await createGateway(testConfig({ redisPort: port, redisTimeoutMs: 500, zookeeperRoot: brokerConfig.zookeeperRoot }));
  const api = client(gateway);

  const topic = uniqueName('outage');
  expect((await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` })).statusCode).toBe(201);
  await waitFor(() => gateway!.topics.get(topic), { what: 'the gateway to see the topic' });
  const waiting = uniqueEmail();
  const other = uniqueEmail();
  for (const email of [waiting, other]) expect((await api.subscribe(email, topic)).statusCode).toBe(201);

  const longPoll = api.read(waiting, topic, 'k', '?wait_ms=30000');
  await waitFor(() => gateway!.waiters.stats.waiters === 1, { what: 'the read to wait' });

  await redis.stop();
  await waitFor(async () => (await gateway!.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 503, { what: 'not ready' });
  const duringOutage = await api.read(other, topic, 'k');
  expect(duringOutage.statusCode).toBe(503);
  expect(duringOutage.json()).toMatchObject({ code: 'REDIS_UNAVAILABLE', retriable: true });
  expect((await api.read(other, topic, 'k', '?wait_ms=5000')).statusCode).toBe(503);

  redis = await startRedis({ dir, port, appendfsync: 'always' });
  await waitFor(async () => (await gateway!.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { what: 'ready again' });
  await waitFor(async () => (await broker!.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { what: 'broker ready' });
  const written = await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value: 'after the outage' } });
  expect(written.statusCode).toBe(200);

  // The read that waited through the outage gets the record written after it.
  const answer = await longPoll;
  expect(answer.statusCode).toBe(200);
  expect(answer.json().messages).toMatchObject([{ offset: 0, value: 'after the outage' }]);
  // And the subscription made before the outage is still there (AOF): a plain read works too.
  expect((await api.read(other, topic, 'k')).json().messages).toMatchObject([{ offset: 0 }]);
});
