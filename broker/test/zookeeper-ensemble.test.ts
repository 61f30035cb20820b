// Two brokers and a gateway on a three-server ZooKeeper ensemble, with a write loop running throughout.
// One server down: everything works, topic admin included. Two down (no quorum): topic admin answers 503
// ZOOKEEPER_UNAVAILABLE, while writes and reads of existing topics go on from cached metadata (docs/invariants.md I5).
// Both back: admin works again. Not one write of the loop may fail.
// Single project only (vitest.config.ts): it starts its own ensemble; records go to the project's Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import { startZooKeeperEnsemble, type ZooKeeperEnsemble } from '@tributary/local-stack';
import { testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';

const dir = mkdtempSync(join(tmpdir(), 'tributary-ensemble-'));
let ensemble: ZooKeeperEnsemble | undefined;
const services: Array<Broker | Gateway> = [];
afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  await ensemble?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const createTopic = (broker: Broker, name: string, partitions = 1) =>
  broker.app.inject({ method: 'POST', url: `/create_topic/${name}/${partitions}` });
const deleteTopic = (broker: Broker, name: string) => broker.app.inject({ method: 'DELETE', url: `/delete_topic/${name}` });

/** Writes one record after another to `topic`, through each broker in turn, until stopped; counts outcomes. */
function writeLoop(brokers: Broker[], topic: string) {
  const failures = { count: 0, first: [] as string[] };
  let acknowledged = 0;
  let stopped = false;
  const done = (async () => {
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < 20_000 && !stopped && Date.now() < deadline; i++) {
      const response = await brokers[i % brokers.length]!.app.inject({
        method: 'POST',
        url: `/write/${topic}`,
        payload: { key: `k-${i % 10}`, value: i },
      });
      if (response.statusCode === 200) acknowledged++;
      else if (failures.count++ < 5) failures.first.push(`write ${i}: ${response.statusCode} ${response.body}`);
      // Paces the loop so that it leaves the two cores to the ZooKeeper servers: it waits for nothing.
      await sleep(2);
    }
  })();
  return {
    failures,
    get acknowledged() {
      return acknowledged;
    },
    /** Resolves once the loop has had `count` more writes acknowledged. */
    async progress(count = 20) {
      const target = acknowledged + count;
      await waitFor(() => acknowledged >= target, { timeoutMs: 20_000, what: `${count} more acknowledged writes` });
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

it('writes and reads go on through the loss of one server and of the quorum; admin answers 503 without a quorum, and works again after', async () => {
  ensemble = await startZooKeeperEnsemble({ dir });
  const zookeeperRoot = `/${uniqueName('ensemble')}`;
  const config = () => testConfig({ zookeeperHost: ensemble!.connectString, zookeeperRoot, zookeeperTimeoutMs: 1_000 });
  const a = await createBroker(config());
  services.push(a);
  const b = await createBroker(config());
  services.push(b);
  const gateway = await createGateway(config());
  services.push(gateway);
  // 'ready', not 'degraded' (ZooKeeper away, serving from the metadata cache): every session is connected.
  const ready = () =>
    Promise.all(
      [a, b, gateway].map((service) =>
        waitFor(async () => (await service.app.inject({ method: 'GET', url: '/readyz' })).json().status === 'ready', {
          timeoutMs: 30_000,
          what: 'ZooKeeper sessions ready',
        }),
      ),
    );

  const topic = uniqueName('steady');
  expect((await createTopic(a, topic, 3)).statusCode).toBe(201);
  // Deleted while there is no quorum (refused), and again once there is.
  const spare = uniqueName('spare');
  expect((await createTopic(a, spare)).statusCode).toBe(201);
  const known = async (name: string) => (await b.app.inject({ method: 'GET', url: `/topics/${name}` })).statusCode === 200 && gateway.topics.get(name);
  await waitFor(async () => (await known(topic)) && known(spare), { what: 'the topics to reach the other broker and the gateway' });
  const email = uniqueEmail();
  expect((await gateway.app.inject({ method: 'POST', url: `/subscribe/${email}/${topic}` })).statusCode).toBe(201);

  const loop = writeLoop([a, b], topic);
  try {
    await loop.progress();

    // One server down, a follower: the other two are a quorum.
    const leader = (await ensemble.leader())!;
    const follower = ensemble.nodes.find((node) => node !== leader)!;
    await follower.kill('SIGKILL');
    await ensemble.waitUntilServing();
    await ready();
    const created = uniqueName('one-down');
    const createdOne = await createTopic(b, created);
    expect(createdOne.statusCode, createdOne.body).toBe(201);
    const deletedOne = await deleteTopic(a, created);
    expect(deletedOne.statusCode, deletedOne.body).toBe(200);
    await loop.progress();

    // Two down: the last server has no quorum and serves nobody.
    await leader.kill('SIGKILL');
    const refused = await createTopic(a, uniqueName('no-quorum'));
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ code: 'ZOOKEEPER_UNAVAILABLE', retriable: true });
    const notDeleted = await deleteTopic(b, spare);
    expect(notDeleted.statusCode).toBe(503);
    expect(notDeleted.json()).toMatchObject({ code: 'ZOOKEEPER_UNAVAILABLE', retriable: true });
    await loop.progress();
    for (const broker of [a, b]) {
      const described = await broker.app.inject({ method: 'GET', url: `/topics/${topic}` });
      expect(described.statusCode, described.body).toBe(200);
    }
    const read = await gateway.app.inject({ method: 'GET', url: `/read/${email}/${topic}/k-0?max=5` });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().messages.length).toBeGreaterThan(0);

    // Both back: once the sessions are ready again, so is topic admin.
    await Promise.all([follower.restart(), leader.restart()]);
    await ensemble.waitUntilServing();
    await ready();
    expect((await createTopic(a, uniqueName('back'))).statusCode).toBe(201);
    expect((await deleteTopic(b, spare)).statusCode).toBe(200);
    await loop.progress();
  } finally {
    await loop.stop();
  }

  expect(loop.failures).toEqual({ count: 0, first: [] });
  // Every acknowledged write is in the log: the partitions' next offsets add up to them.
  const described = (await b.app.inject({ method: 'GET', url: `/topics/${topic}` })).json();
  const stored = described.partitions.reduce((sum: number, partition: { next_offset: number }) => sum + partition.next_offset, 0);
  expect(stored).toBe(loop.acknowledged);
}, 180_000);
