// What consumers can rely on: atomic auto-commit, independent consumers, from=latest, topic identity across
// delete and re-create (docs/invariants.md I4), and stateless gateways (I7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerKeys } from '@tributary/core';
import { uniqueEmail, zooKeeperTree } from '@tributary/testkit';
import { client, offsetsOf, Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await Stack.start();
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

const records = (key: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ key, value: from + i }));

describe('auto-commit', () => {
  it('never returns the same record to two concurrent reads of one consumer and partition', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, records('k', 1_000));
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);

    const reads = await Promise.all(Array.from({ length: 50 }, () => api.read(email, topic.name, 'k', '?max=15')));
    const returned = reads.flatMap((response) => {
      expect(response.statusCode).toBe(200);
      return offsetsOf(response.json().messages);
    });
    // 50 reads of 15: 750 distinct records, together exactly offsets 0..749.
    expect(new Set(returned).size).toBe(returned.length);
    expect(returned.sort((a, b) => a - b)).toEqual(Array.from({ length: 750 }, (_, i) => i));
  });

  it('keeps each consumer independent', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, records('k', 6));
    const [ann, bob] = [uniqueEmail(), uniqueEmail()];
    await api.subscribe(ann, topic.name);
    await api.subscribe(bob, topic.name);

    expect(offsetsOf((await api.read(ann, topic.name, 'k', '?max=4')).json().messages)).toEqual([0, 1, 2, 3]);
    expect(offsetsOf((await api.read(bob, topic.name, 'k', '?max=2')).json().messages)).toEqual([0, 1]);
    expect(offsetsOf((await api.read(ann, topic.name, 'k')).json().messages)).toEqual([4, 5]);
    expect(offsetsOf((await api.read(bob, topic.name, 'k')).json().messages)).toEqual([2, 3, 4, 5]);
  });
});

describe('from=latest', () => {
  it('sees only records written after it subscribed, in every partition', async () => {
    const topic = await stack.createTopic(3);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    await stack.write(topic.name, keys.map((key) => ({ key, value: 'old' })));
    const email = uniqueEmail();
    expect((await api.subscribe(email, topic.name, '?from=latest')).statusCode).toBe(201);
    await stack.write(topic.name, keys.map((key) => ({ key, value: 'new' })));

    const seen = new Map<number, unknown[]>();
    for (const key of keys) {
      const { partition, messages } = (await api.read(email, topic.name, key)).json();
      seen.set(partition, [...(seen.get(partition) ?? []), ...messages.map((m: { value: unknown }) => m.value)]);
    }
    const all = [...seen.values()].flat();
    expect(all).toHaveLength(keys.length);
    expect(new Set(all)).toEqual(new Set(['new']));

    // An earliest subscriber of the same topic sees both.
    const other = uniqueEmail();
    await api.subscribe(other, topic.name);
    const firstPartition = (await api.read(other, topic.name, 'a')).json();
    expect(firstPartition.messages.map((m: { value: unknown }) => m.value)).toContain('old');
  });
});

describe('topic identity', () => {
  it('ends subscriptions when the topic is deleted, and a re-created topic revives no offsets', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, records('k', 5));
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    await api.read(email, topic.name, 'k', '?max=3');

    await stack.deleteTopic(topic.name);
    // At once, even before the gateway's topic cache hears of it: the partition is marked deleted.
    expect((await api.read(email, topic.name, 'k')).json().code).toBe('TOPIC_NOT_FOUND');
    await stack.gatewayKnows(topic.name, undefined);
    expect((await api.read(email, topic.name, 'k')).statusCode).toBe(404);
    expect((await api.subscriptions(email)).json().subscriptions).toEqual([]);

    const recreated = await stack.createTopic(1, undefined, topic.name);
    expect(recreated.id).not.toBe(topic.id);
    await stack.write(topic.name, records('k', 2, 100));
    const stale = await api.read(email, topic.name, 'k');
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe('NOT_SUBSCRIBED');
    expect((await api.seek(email, topic.name, { to: 'earliest' })).statusCode).toBe(403);

    expect((await api.subscribe(email, topic.name)).statusCode).toBe(201);
    const fresh = (await api.read(email, topic.name, 'k')).json();
    expect(fresh).toMatchObject({ start_offset: 0, next_offset: 2 });
    expect(fresh.messages.map((m: { value: number }) => m.value)).toEqual([100, 101]);
  });
});

describe('stateless gateways', () => {
  it('lets two gateways on the same Redis and ZooKeeper serve one consumer interchangeably', async () => {
    const other = await stack.addGateway();
    const topic = await stack.createTopic(2);
    await stack.write(topic.name, records('k', 12));
    const email = uniqueEmail();
    const [one, two] = [api, client(other)];

    expect((await one.subscribe(email, topic.name)).statusCode).toBe(201);
    expect((await two.subscribe(email, topic.name)).statusCode).toBe(200);
    const offsets: number[] = [];
    for (const gateway of [two, one, two, one]) {
      offsets.push(...offsetsOf((await gateway.read(email, topic.name, 'k', '?max=3')).json().messages));
    }
    expect(offsets).toEqual(Array.from({ length: 12 }, (_, i) => i));

    // Concurrent reads through both gateways still never overlap.
    await one.seek(email, topic.name, { to: 'earliest' });
    const reads = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).read(email, topic.name, 'k', '?max=1')));
    const returned = reads.flatMap((response) => offsetsOf(response.json().messages));
    expect(returned.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));

    expect((await two.unsubscribe(email, topic.name)).statusCode).toBe(200);
    expect((await one.read(email, topic.name, 'k')).statusCode).toBe(403);
  });

  it('keeps consumer state across a gateway restart: it lives only in Redis', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, records('k', 4));
    const email = uniqueEmail();
    const before = await stack.addGateway();
    await client(before).subscribe(email, topic.name);
    await client(before).read(email, topic.name, 'k', '?max=3');
    await before.close();

    const after = await stack.addGateway();
    expect(offsetsOf((await client(after).read(email, topic.name, 'k')).json().messages)).toEqual([3]);

    // Nothing about the consumer went to ZooKeeper (there may be millions of them); Redis has it all.
    const tree = await zooKeeperTree(stack.brokerConfig.zookeeperRoot);
    expect(tree.some(({ path }) => path.endsWith(`/topics/${topic.name}`))).toBe(true);
    expect(tree.filter(({ path, data }) => path.includes(email) || data.includes(email))).toEqual([]);
    expect(await stack.redis.hget(consumerKeys(email).subscriptions, topic.name)).toBe(topic.id);
    expect(await stack.redis.hget(consumerKeys(email).offsets(topic.name), '0')).toBe('4');
  });
});
