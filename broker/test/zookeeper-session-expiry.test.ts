import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { createLogger, ZooKeeper, zooKeeperPaths } from '@tributary/core';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

// Broker A reaches ZooKeeper through a proxy that the test cuts for longer than A's session timeout, so
// ZooKeeper itself expires A's session; broker B and the observer connect directly and see it happen.
const direct = testConfig({ zookeeperSessionTimeoutMs: 2_000 });
const paths = zooKeeperPaths(direct.zookeeperRoot);
const idA = uniqueName('broker-a');
let proxy: TcpProxy;
let a: Broker;
let b: Broker;
let observer: ZooKeeper;

beforeAll(async () => {
  const [host, port] = direct.zookeeperHost.split(':') as [string, string];
  proxy = await startTcpProxy({ host, port: Number(port) });
  // A's requests wait for ZooKeeper 1.5 s at most: while it is cut off they fail soon, yet on a loaded machine
  // its start (through the proxy) does not fail for a slow answer.
  a = await createBroker({ ...direct, zookeeperHost: proxy.address, zookeeperTimeoutMs: 1_500, instanceId: idA });
  b = await createBroker({ ...direct, instanceId: uniqueName('broker-b') });
  await Promise.all([a.listen(), b.listen()]);
  observer = await ZooKeeper.connect(direct, createLogger(direct, 'observer'));
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  observer?.close();
  await proxy?.close();
});

async function create(broker: Broker, topic: string): Promise<string> {
  const response = await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/2` });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function remove(broker: Broker, topic: string): Promise<void> {
  const response = await broker.app.inject({ method: 'DELETE', url: `/delete_topic/${topic}` });
  expect(response.statusCode, response.body).toBe(200);
}

describe('a ZooKeeper session expiry', () => {
  it('never makes an existing topic 404 nor drops it from the cache, nor lets the stale cache answer a create; the new session re-reads and re-arms', async () => {
    const steady = uniqueName('steady');
    const recreated = uniqueName('recreated');
    const bornMeanwhile = uniqueName('meanwhile');
    await create(a, steady);
    const oldId = await create(a, recreated);

    // Every turn of the event loop, broker A must know the topic; and every write to it must be stored.
    let watching = true;
    let missing = 0;
    const sample = () => {
      if (!watching) return;
      if (!a.topics.get(steady)) missing += 1;
      setImmediate(sample);
    };
    sample();
    const statuses: Record<number, number> = {};
    const writing = (async () => {
      for (let i = 0; watching; i++) {
        const response = await a.app.inject({ method: 'POST', url: `/write/${steady}`, payload: { key: 'k', value: i } });
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      }
    })();

    try {
      proxy.cut();
      await waitFor(async () => !(await observer.exists(paths.broker(idA))), {
        timeoutMs: 30_000,
        what: "ZooKeeper to expire broker A's session",
      });
      // Changes A cannot hear of while it has no session: a new topic, and a name re-created with a new id.
      await create(b, bornMeanwhile);
      await remove(b, recreated);
      // A's cache still holds the deleted topic, but only ZooKeeper may say a name is taken: no 409 from A.
      const createdWhileCutOff = await a.app.inject({ method: 'POST', url: `/create_topic/${recreated}/2` });
      expect(createdWhileCutOff.statusCode).toBe(503);
      expect(createdWhileCutOff.json()).toMatchObject({ code: 'ZOOKEEPER_UNAVAILABLE', retriable: true });
      const newId = await create(b, recreated);
      expect(newId).not.toBe(oldId);
      proxy.restore();
      await waitFor(() => observer.exists(paths.broker(idA)), { what: 'broker A to register in its new session' });
      await waitFor(() => a.topics.get(bornMeanwhile) !== undefined && a.topics.get(recreated)?.id === newId, {
        what: 'broker A to re-read every topic in its new session',
      });
    } finally {
      watching = false;
      await writing;
    }

    expect(missing).toBe(0);
    expect(statuses).toEqual({ 200: expect.any(Number) });

    // The new session's watches are armed: A hears of a deletion made through B.
    await remove(b, steady);
    await waitFor(() => a.topics.get(steady) === undefined, { what: 'broker A to hear of the deletion' });
    const refused = await a.app.inject({ method: 'POST', url: `/write/${steady}`, payload: { key: 'k', value: 'late' } });
    expect(refused.statusCode).toBe(404);
  });
});
