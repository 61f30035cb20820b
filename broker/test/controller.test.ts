// The controller's epoch: every election raises it, Redis refuses duties from an older one, and a controller
// that Redis calls stale steps down so that a new election follows.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { connectRedis, createRedis, LogStore, partitionKeys, type RedisClient, type Topic } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName, waitFor } from '@tributary/testkit';

const base = testConfig({ retentionCheckMs: 100 });
let redis: Redis;
let client: RedisClient;
let logs: LogStore;

beforeAll(async () => {
  redis = await inspectRedis();
  client = createRedis(base, { name: 'controller-test' });
  await connectRedis(client, base);
  logs = new LogStore(client);
});
afterAll(() => {
  redis?.disconnect();
  client?.disconnect();
});

async function createTopic(broker: Broker, partitions = 1, body?: object): Promise<Topic> {
  const name = uniqueName('ctl');
  const response = await broker.app.inject({ method: 'POST', url: `/create_topic/${name}/${partitions}`, ...(body ? { payload: body } : {}) });
  expect(response.statusCode, response.body).toBe(201);
  const { id, config } = response.json();
  return { name, id, partitions, createdAt: 0, config: { retentionMs: config.retention_ms, maxRecordBytes: config.max_record_bytes, segmentRecords: config.segment_records } };
}

/** Retention only looks at partitions with a full segment behind the active one: write 1,500 records. */
async function fill(broker: Broker, topic: Topic): Promise<void> {
  const records = Array.from({ length: 1_500 }, (_, i) => ({ key: 'k', value: i }));
  const response = await broker.app.inject({ method: 'POST', url: `/write/${topic.name}`, payload: { records } });
  expect(response.statusCode, response.body).toBe(200);
}

const fence = async (topic: Topic, partition = 0) => Number(await redis.hget(partitionKeys({ topicId: topic.id, partition }).state, 'controller_epoch'));

describe('controller epoch', () => {
  it('rises with every election', async () => {
    const config = { ...base, zookeeperRoot: `/${uniqueName('ctl')}` };
    const a = await createBroker({ ...config, instanceId: 'a' });
    const b = await createBroker({ ...config, instanceId: 'b' });
    try {
      const [first, second] = a.controller.active ? [a, b] : [b, a];
      const firstEpoch = first.controller.epoch!;
      expect(firstEpoch).toBeGreaterThanOrEqual(1);
      expect(second.controller.epoch).toBeUndefined();
      await first.close();
      await waitFor(() => second.controller.active, { what: 'the second broker to take over' });
      expect(second.controller.epoch).toBe(firstEpoch + 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fences duties in Redis: a partition refuses retention and reclaiming from an older epoch', async () => {
    const broker = await createBroker({ ...base, retentionCheckMs: 60_000 });
    try {
      const topic = await createTopic(broker);
      await fill(broker, topic);
      await logs.applyRetention(topic, 7);
      expect(await fence(topic)).toBe(7);
      await expect(logs.applyRetention(topic, 6)).rejects.toMatchObject({ code: 'STALE_CONTROLLER' });
      await logs.applyRetention(topic, 8);
      expect(await fence(topic)).toBe(8);

      await logs.markDeleted(topic);
      await expect(logs.reclaim(topic, 7)).rejects.toMatchObject({ code: 'STALE_CONTROLLER' });
      await logs.reclaim(topic, 9);
      expect(await fence(topic)).toBe(9);
    } finally {
      await broker.close();
    }
  });

  it('a controller that Redis calls stale steps down, and the next election wins an epoch Redis accepts', async () => {
    const broker = await createBroker(base);
    try {
      const topic = await createTopic(broker, 1, { retention_ms: 60_000 });
      await fill(broker, topic);
      const epoch = broker.controller.epoch!;
      await waitFor(async () => (await fence(topic)) === epoch, { what: 'a retention pass under the first epoch' });
      // A newer controller (one this broker never heard of) has acted on the partition.
      await redis.hset(partitionKeys({ topicId: topic.id, partition: 0 }).state, 'controller_epoch', epoch + 1);
      await waitFor(() => (broker.controller.epoch ?? 0) > epoch && broker.controller.active, { what: 're-election' });
      expect(broker.controller.epoch).toBe(epoch + 1);
      await waitFor(async () => (await fence(topic)) === epoch + 1 && broker.controller.active, { what: 'duties resumed' });
    } finally {
      await broker.close();
    }
  });
});

describe('controller election', () => {
  it('two elections from the same epoch cannot both win, even from the node’s first version (regression: version 0 meant any)', async () => {
    const { createLogger, ZooKeeper, zooKeeperPaths } = await import('@tributary/core');
    const config = { ...base, zookeeperRoot: `/${uniqueName('epoch')}` };
    const zk = await ZooKeeper.connect(config, createLogger(config, 'test'));
    try {
      const paths = zooKeeperPaths(config.zookeeperRoot);
      await zk.mkdirp(paths.root);
      await zk.create(paths.controllerEpoch, { epoch: 1 });
      const read = await zk.getData<{ epoch: number }>(paths.controllerEpoch);
      expect(read.version).toBe(0);
      // Both read epoch 1 at version 0 and try to take epoch 2 (without /controller, so only the version guards).
      const bump = () => zk.transaction([{ op: 'setData', path: paths.controllerEpoch, data: { epoch: 2 }, version: read.version }]);
      const outcomes = await Promise.allSettled([bump(), bump()]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ kind: 'BAD_VERSION' });
    } finally {
      zk.close();
    }
  });
});

describe('controller without ZooKeeper', () => {
  it('pauses its duties while its ZooKeeper connection is down, and resumes once it knows it still leads', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { startZooKeeper } = await import('@tributary/local-stack');
    const dir = mkdtempSync(join(tmpdir(), 'tributary-ctl-'));
    const zookeeper = await startZooKeeper({ dir });
    const broker = await createBroker({ ...base, zookeeperHost: `127.0.0.1:${zookeeper.port}`, zookeeperSessionTimeoutMs: 4_000 });
    try {
      await waitFor(() => broker.controller.active, { what: 'the broker to lead' });
      const epoch = broker.controller.epoch;
      zookeeper.process.kill('SIGSTOP');
      await waitFor(() => !broker.controller.active, { what: 'duties paused', timeoutMs: 20_000 });
      zookeeper.process.kill('SIGCONT');
      await waitFor(() => broker.controller.active, { what: 'duties resumed', timeoutMs: 20_000 });
      // Either the session survived and the broker confirmed its own node, or it expired and the broker won a
      // new election: never a controller with an epoch it did not win.
      expect(broker.controller.epoch! >= epoch!).toBe(true);
    } finally {
      zookeeper.process.kill('SIGCONT');
      await broker.close();
      await zookeeper.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
