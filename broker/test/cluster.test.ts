import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import type { ClusterInfo } from '@tributary/core';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

// Two broker instances on one ZooKeeper root and one Redis: any broker serves any write (docs/invariants.md I7).
// Broker ids are unique to this file: heartbeats of every test's brokers share one Redis hash.
const base = testConfig();
const idA = uniqueName('broker-a');
const idB = uniqueName('broker-b');
let a: Broker;
let b: Broker;

beforeAll(async () => {
  a = await createBroker({ ...base, instanceId: idA });
  b = await createBroker({ ...base, instanceId: idB });
  await Promise.all([a.listen(), b.listen()]);
});

const cluster = async (broker: Broker): Promise<ClusterInfo> => (await broker.app.inject({ method: 'GET', url: '/cluster' })).json();
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

describe('two brokers', () => {
  it('a topic created through one is writable through the other within a second', async () => {
    const topic = uniqueName('shared');
    const created = await a.app.inject({ method: 'POST', url: `/create_topic/${topic}/2` });
    expect(created.statusCode).toBe(201);
    const written = await waitFor(
      async () => {
        const response = await b.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value: 1 } });
        return response.statusCode === 200 ? response.json() : undefined;
      },
      { timeoutMs: 1_000, what: 'the topic to reach broker b' },
    );
    expect(written).toMatchObject({ topic, offset: 0 });
    // Both brokers append to the same log: offsets continue across them.
    const fromA = await a.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value: 2 } });
    expect(fromA.json()).toMatchObject({ partition: written.partition, offset: 1 });
  });

  it('interleaved batch writes through both brokers get unique, contiguous offsets', async () => {
    const topic = uniqueName('interleaved');
    await a.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` });
    await waitFor(async () => (await b.app.inject({ method: 'GET', url: `/topics/${topic}` })).statusCode === 200);
    const batch = (n: number) => ({ records: Array.from({ length: n }, (_, i) => ({ key: 'k', value: i })) });
    // Segment boundaries (every 1000 offsets) are crossed while each broker's next-offset hint is stale.
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).app.inject({ method: 'POST', url: `/write/${topic}`, payload: batch(700) })),
    );
    for (const r of responses) expect(r.statusCode, r.body).toBe(200);
    const offsets = responses.flatMap((r) => r.json().results.map((x: { offset: number }) => x.offset));
    expect(new Set(offsets).size).toBe(16 * 700);
    expect(Math.max(...offsets)).toBe(16 * 700 - 1);
    const described = (await b.app.inject({ method: 'GET', url: `/topics/${topic}` })).json();
    expect(described.partitions[0].next_offset).toBe(16 * 700);
  });

  it('a topic deleted through one broker is refused by the other', async () => {
    const topic = uniqueName('gone');
    await a.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` });
    await waitFor(async () => (await b.app.inject({ method: 'GET', url: `/topics/${topic}` })).statusCode === 200);
    expect((await a.app.inject({ method: 'DELETE', url: `/delete_topic/${topic}` })).statusCode).toBe(200);
    // At once: even before b's cache hears of the deletion, the partition tombstone refuses the write.
    const response = await b.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value: 1 } });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('TOPIC_NOT_FOUND');
  });

  it('lists both brokers, alive, and exactly one controller with its epoch in /cluster', async () => {
    const body = await waitFor(async () => {
      const answer = await cluster(b);
      return answer.brokers.every((x) => x.alive) && answer.controller ? answer : undefined;
    });
    expect(body.brokers.map((x) => x.id)).toEqual([idA, idB]);
    expect(body.brokers[0]).toEqual({
      id: idA,
      host: '127.0.0.1',
      port: expect.any(Number),
      started_at: expect.any(String),
      version: expect.any(String),
      last_seen: expect.any(String),
      alive: true,
    });
    expect([a.controller.active, b.controller.active].filter(Boolean)).toHaveLength(1);
    const leader = a.controller.active ? a : b;
    expect(body.controller).toEqual({ broker_id: leader === a ? idA : idB, epoch: leader.controller.epoch, elected_at: expect.any(String) });
    expect(body.this_broker).toEqual({ id: idB, controller: b.controller.active });
    expect(body.redis).toMatchObject({ state: 'ready' });
    expect(body.zookeeper).toEqual({ address: base.zookeeperHost, root: base.zookeeperRoot, state: 'ready' });
  });

  it('shows a killed broker as not alive within a few heartbeats, while ZooKeeper still lists it', async () => {
    // A real broker process, killed as a crash would: no deregistering, its session left to time out.
    const id = uniqueName('killed');
    const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/server.js', import.meta.url))], {
      stdio: 'ignore',
      env: {
        ...process.env,
        ZOOKEEPER_HOST: base.zookeeperHost,
        ZOOKEEPER_ROOT: base.zookeeperRoot,
        ZOOKEEPER_SESSION_TIMEOUT_MS: '30000',
        REDIS_HOST: base.redisHost,
        REDIS_PORT: String(base.redisPort),
        REDIS_CLUSTER_NODES: base.redisClusterNodes?.join(',') ?? '',
        BROKER_PORT: '0',
        LISTEN_HOST: '127.0.0.1',
        ADVERTISED_HOST: '127.0.0.1',
        INSTANCE_ID: id,
        LOG_LEVEL: 'silent',
      },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const status = async () => (await cluster(a)).brokers.find((x) => x.id === id);
      await waitFor(async () => (await status())?.alive, { timeoutMs: 20_000, what: 'the broker process to register and beat' });
      child.kill('SIGKILL');
      await exited;
      const dead = await waitFor(async () => {
        const found = await status();
        return found && !found.alive ? found : undefined;
      }, { what: 'the killed broker to show as not alive' });
      expect(dead).toMatchObject({ id, alive: false, last_seen: expect.any(String) });
      expect(Date.parse(dead.last_seen!)).not.toBeNaN();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('hands the controller role over when the controller leaves, and drops it from the registry', async () => {
    const idC = uniqueName('broker-c');
    const c = await createBroker({ ...base, instanceId: idC });
    await c.listen();
    try {
      const [leader, follower] = a.controller.active ? [a, b] : [b, a];
      await leader.close();
      await waitFor(() => follower.controller.active || c.controller.active, { what: 'a new controller' });
      const [leaderId, followerId] = leader === a ? [idA, idB] : [idB, idA];
      const body = await waitFor(async () => {
        const answer = await cluster(c);
        return answer.brokers.some((x) => x.id === leaderId) ? undefined : answer;
      });
      expect(body.brokers.map((x) => x.id)).toEqual(expect.arrayContaining([followerId, idC]));
      expect([follower.controller.active, c.controller.active].filter(Boolean)).toHaveLength(1);
      // Restart the closed one so afterAll can close both again.
      if (leader === a) a = await createBroker({ ...base, instanceId: idA });
      else b = await createBroker({ ...base, instanceId: idB });
    } finally {
      await c.close();
    }
  });
});
