import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { startZooKeeper } from '@tributary/local-stack';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

const dir = mkdtempSync(join(tmpdir(), 'tributary-durability-'));
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  rmSync(dir, { recursive: true, force: true });
});

async function writeAndDescribe(broker: Broker, topic: string, value: unknown) {
  const write = await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value } });
  return write;
}

describe('durability', () => {
  it('keeps records written before a broker restart', async () => {
    const config = testConfig();
    const topic = uniqueName('restart');
    const first = await createBroker(config);
    await first.app.inject({ method: 'POST', url: `/create_topic/${topic}/2` });
    const before = await first.app.inject({
      method: 'POST',
      url: `/write/${topic}`,
      payload: { records: Array.from({ length: 100 }, (_, i) => ({ key: 'same-key', value: i })) },
    });
    const { partition } = before.json().results[0];
    await first.close();

    const second = await createBroker(config);
    cleanup.push(() => second.close());
    const described = (await second.app.inject({ method: 'GET', url: `/topics/${topic}` })).json();
    expect(described.partitions[partition].next_offset).toBe(100);
    const after = await writeAndDescribe(second, topic, 'after restart');
    expect(after.json()).toMatchObject({ partition, offset: 100 });
  });
});

describe('outages answer 503 quickly, and service resumes', () => {
  it('ZooKeeper down: writes go on (no ZooKeeper on the write path), the broker stays ready (degraded), admin answers 503', async () => {
    const zkDir = join(dir, 'zookeeper');
    let zookeeper = await startZooKeeper({ dir: zkDir });
    const port = zookeeper.port;
    cleanup.push(() => zookeeper.stop());
    const config = testConfig({ zookeeperHost: `127.0.0.1:${port}`, zookeeperTimeoutMs: 1_500 });
    const broker = await createBroker(config);
    cleanup.push(() => broker.close());
    const topic = uniqueName('zk-outage');
    await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` });

    await zookeeper.stop();
    const zooKeeperState = async () => (await broker.app.inject({ method: 'GET', url: '/readyz' })).json().checks.zookeeper;
    await waitFor(async () => (await zooKeeperState()) === 'degraded');
    const ready = await broker.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'degraded', checks: { redis: 'ready', zookeeper: 'degraded' } });

    const write = await writeAndDescribe(broker, topic, 'while ZooKeeper is down');
    expect(write.statusCode).toBe(200);
    const create = await broker.app.inject({ method: 'POST', url: `/create_topic/${uniqueName()}/1` });
    expect(create.statusCode).toBe(503);
    expect(create.json()).toMatchObject({ code: 'ZOOKEEPER_UNAVAILABLE', retriable: true });

    zookeeper = await startZooKeeper({ dir: zkDir, port });
    await waitFor(async () => (await zooKeeperState()) === 'ready', { timeoutMs: 30_000, what: 'ZooKeeper reconnect' });
    const created = await broker.app.inject({ method: 'POST', url: `/create_topic/${uniqueName()}/1` });
    expect(created.statusCode).toBe(201);

    // ZooKeeper kept its data across the restart: a broker starting now learns the topic from it.
    const fresh = await createBroker({ ...config, instanceId: 'fresh-broker' });
    cleanup.push(() => fresh.close());
    const described = await fresh.app.inject({ method: 'GET', url: `/topics/${topic}` });
    expect(described.json().partitions[0].next_offset).toBe(1);
  });

  it('ZooKeeper came back without its data: the broker gives up the old session and opens a new one', async () => {
    const zkDir = join(dir, 'zookeeper-wiped');
    let zookeeper = await startZooKeeper({ dir: zkDir });
    const port = zookeeper.port;
    cleanup.push(() => zookeeper.stop());
    const config = testConfig({ zookeeperHost: `127.0.0.1:${port}`, zookeeperTimeoutMs: 1_500, zookeeperSessionTimeoutMs: 2_000 });
    const broker = await createBroker(config);
    cleanup.push(() => broker.close());
    await broker.app.inject({ method: 'POST', url: `/create_topic/${uniqueName()}/1` });

    // A server with an empty database refuses a client that has seen later transactions than it has, for
    // ever: only a new session gets in.
    await zookeeper.stop();
    rmSync(zkDir, { recursive: true, force: true });
    zookeeper = await startZooKeeper({ dir: zkDir, port });
    const zooKeeperState = async () => (await broker.app.inject({ method: 'GET', url: '/readyz' })).json().checks.zookeeper;
    await waitFor(async () => (await zooKeeperState()) === 'ready', { timeoutMs: 20_000, what: 'a new ZooKeeper session' });
  });
});
