// /readyz answers a load balancer's question, "can this service do its job now?", for the broker and the
// gateway, on a Redis and a ZooKeeper of the test's own, which it freezes and stops. Records live in Redis:
// without it nothing is served. Metadata is read from a cache: without ZooKeeper writes and reads go on.
// The broker's /cluster tells the same story.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { startRedis, startZooKeeper, type RunningServer } from '@tributary/local-stack';
import { testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';
import { client } from './stack.js';

describe('readiness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-readiness-'));
  const topic = uniqueName('ready');
  const email = uniqueEmail();
  const brokerId = uniqueName('broker');
  let redis: RunningServer;
  let zookeeper: RunningServer;
  let broker: Broker;
  let gateway: Gateway;

  const get = async (service: Broker | Gateway, url: string) => {
    const response = await service.app.inject({ method: 'GET', url });
    return { statusCode: response.statusCode, body: response.json() };
  };
  const readyz = (service: Broker | Gateway) => get(service, '/readyz');

  beforeAll(async () => {
    [redis, zookeeper] = await Promise.all([
      startRedis({ dir: join(dir, 'redis'), persistent: false }),
      startZooKeeper({ dir: join(dir, 'zookeeper') }),
    ]);
    const config = testConfig({
      redisHost: redis.host,
      redisPort: redis.port,
      redisClusterNodes: undefined,
      redisTimeoutMs: 500,
      zookeeperHost: `${zookeeper.host}:${zookeeper.port}`,
      instanceId: brokerId,
    });
    broker = await createBroker(config);
    await broker.listen();
    gateway = await createGateway({ ...config, instanceId: uniqueName('gateway') });
    expect((await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` })).statusCode).toBe(201);
    await waitFor(() => gateway.topics.get(topic), { what: 'the gateway to see the topic' });
    expect((await client(gateway).subscribe(email, topic)).statusCode).toBe(201);
  });
  afterAll(async () => {
    redis?.process.kill('SIGCONT');
    await gateway?.close();
    await broker?.close();
    await Promise.all([redis?.stop(), zookeeper?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('both are ready with every dependency up, including while a long poll holds the subscriber connection', async () => {
    const longPoll = client(gateway).read(email, topic, 'k', '?wait_ms=10000');
    await waitFor(() => gateway.waiters.stats.waiters === 1, { what: 'the read to wait' });
    expect(await readyz(broker)).toEqual({ statusCode: 200, body: { status: 'ready', checks: { redis: 'ready', zookeeper: 'ready' } } });
    expect(await readyz(gateway)).toEqual({
      statusCode: 200,
      body: { status: 'ready', checks: { redis: 'ready', redis_subscriber: 'ready', zookeeper: 'ready' } },
    });
    expect((await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value: 0 } })).statusCode).toBe(200);
    expect((await longPoll).json().messages).toMatchObject([{ offset: 0, value: 0 }]);
  });

  it('a frozen Redis makes both unready (503 naming Redis), and /cluster says so; thawed, both are ready again', async () => {
    redis.process.kill('SIGSTOP');
    try {
      const fromBroker = await readyz(broker);
      expect(fromBroker.statusCode).toBe(503);
      expect(fromBroker.body).toMatchObject({ code: 'NOT_READY', retriable: true, checks: { zookeeper: 'ready' } });
      expect(fromBroker.body.checks.redis).not.toBe('ready');
      expect(fromBroker.body.message).toBe(`not ready: redis is ${fromBroker.body.checks.redis}`);

      const fromGateway = await readyz(gateway);
      expect(fromGateway.statusCode).toBe(503);
      expect(fromGateway.body).toMatchObject({ code: 'NOT_READY', checks: { zookeeper: 'ready' } });
      expect(fromGateway.body.checks.redis).not.toBe('ready');
      expect(fromGateway.body.checks.redis_subscriber).not.toBe('ready');
      expect(fromGateway.body.message).toMatch(/^not ready: redis is .*, redis_subscriber is /);

      const cluster = await get(broker, '/cluster');
      expect(cluster.statusCode).toBe(200);
      expect(cluster.body.redis.state).not.toBe('ready');
      expect(cluster.body.zookeeper.state).toBe('ready');
    } finally {
      redis.process.kill('SIGCONT');
    }
    for (const service of [broker, gateway]) {
      await waitFor(async () => (await readyz(service)).statusCode === 200, { what: 'ready again after the thaw' });
    }
  });

  it('with ZooKeeper stopped, both stay ready with ZooKeeper degraded, writes and reads go on, and /cluster answers from its copies', async () => {
    await zookeeper.stop();
    const degraded = await waitFor(async () => {
      const answer = await readyz(broker);
      return answer.body.checks.zookeeper === 'degraded' ? answer : undefined;
    });
    expect(degraded).toEqual({ statusCode: 200, body: { status: 'degraded', checks: { redis: 'ready', zookeeper: 'degraded' } } });
    const written = await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value: 'no zookeeper' } });
    expect(written.statusCode).toBe(200);

    // /cluster answers from its watched copies: the registry and the controller are still known.
    const cluster = await get(broker, '/cluster');
    expect(cluster.statusCode).toBe(200);
    expect(cluster.body).toMatchObject({
      brokers: [{ id: brokerId, alive: true }],
      controller: { broker_id: brokerId, epoch: 1 },
      redis: { state: 'ready' },
    });
    expect(cluster.body.zookeeper.state).not.toBe('ready');

    await waitFor(async () => (await readyz(gateway)).body.checks.zookeeper === 'degraded');
    expect(await readyz(gateway)).toEqual({
      statusCode: 200,
      body: { status: 'degraded', checks: { redis: 'ready', redis_subscriber: 'ready', zookeeper: 'degraded' } },
    });
    const read = await client(gateway).read(email, topic, 'k');
    expect(read.statusCode).toBe(200);
    expect(read.json().messages).toMatchObject([{ value: 'no zookeeper' }]);
  });
});
