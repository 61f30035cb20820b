import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

// Two broker instances on one ZooKeeper root and one Redis: any broker serves any write (DESIGN.md I7).
const base = testConfig();
let a: Broker;
let b: Broker;

beforeAll(async () => {
  a = await createBroker({ ...base, instanceId: 'broker-a' });
  b = await createBroker({ ...base, instanceId: 'broker-b' });
  await Promise.all([a.listen(), b.listen()]);
});
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

  it('lists both brokers and exactly one controller in /cluster', async () => {
    const cluster = (await b.app.inject({ method: 'GET', url: '/cluster' })).json();
    expect(cluster.brokers.map((x: { id: string }) => x.id)).toEqual(['broker-a', 'broker-b']);
    expect(cluster.brokers[0]).toMatchObject({ host: '127.0.0.1', port: expect.any(Number), version: expect.any(String) });
    expect(['broker-a', 'broker-b']).toContain(cluster.controller.instanceId);
    expect([a.controller.active, b.controller.active].filter(Boolean)).toHaveLength(1);
    expect(cluster.redis.state).toBe('ready');
    expect(cluster.zookeeper.state).toBe('ready');
  });

  it('hands the controller role over when the controller leaves, and drops it from the registry', async () => {
    const c = await createBroker({ ...base, instanceId: 'broker-c' });
    await c.listen();
    try {
      const [leader, follower] = a.controller.active ? [a, b] : [b, a];
      await leader.close();
      await waitFor(() => follower.controller.active || c.controller.active, { what: 'a new controller' });
      const cluster = await waitFor(async () => {
        const body = (await c.app.inject({ method: 'GET', url: '/cluster' })).json();
        return body.brokers.length === 2 ? body : undefined;
      });
      expect(cluster.brokers.map((x: { id: string }) => x.id)).not.toContain(leader === a ? 'broker-a' : 'broker-b');
      expect([follower.controller.active, c.controller.active].filter(Boolean)).toHaveLength(1);
      // Restart the closed one so afterAll can close both again.
      if (leader === a) a = await createBroker({ ...base, instanceId: 'broker-a' });
      else b = await createBroker({ ...base, instanceId: 'broker-b' });
    } finally {
      await c.close();
    }
  });
});
