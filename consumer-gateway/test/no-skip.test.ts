// Reads never skip what they did not deliver (docs/invariants.md I9): a read fetches first and moves the offset
// afterwards, only if no other read moved it; reads are bounded in bytes as well as records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionKeys } from '@tributary/core';
import { uniqueEmail, waitFor } from '@tributary/testkit';
import { client, offsetsOf, Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await Stack.start({ maxBodyBytes: 8 * 1024 * 1024 });
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

const committedOffset = async (email: string, topic: string) =>
  (await api.subscriptions(email)).json().subscriptions.find((s: { topic: string }) => s.topic === topic).partitions[0].committed_offset;

describe('a read that fails', () => {
  it('leaves the offset where it was: the next read returns the same records (regression: the offset moved before the fetch)', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: i })));
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    expect(offsetsOf((await api.read(email, topic.name, 'k', '?max=3')).json().messages)).toEqual([0, 1, 2]);

    // The segment list holding the records turns unreadable (a Redis error on the fetch, after the position
    // was read): the read fails, and must not have moved the offset past records it never returned.
    const segment = partitionKeys({ topicId: topic.id, partition: 0 }).segment(0);
    const saved = await stack.redis.dumpBuffer(segment);
    await stack.redis.del(segment);
    await stack.redis.set(segment, 'not a list');
    const failed = await api.read(email, topic.name, 'k', '?max=3');
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(await committedOffset(email, topic.name)).toBe(3);

    await stack.redis.del(segment);
    await stack.redis.restore(segment, 0, saved!);
    expect(offsetsOf((await api.read(email, topic.name, 'k', '?max=3')).json().messages)).toEqual([3, 4, 5]);
  });

  it('during a long poll too: the poll answers the error, and the offset stays (regression: the failure was swallowed)', async () => {
    const topic = await stack.createTopic(1);
    const keys = partitionKeys({ topicId: topic.id, partition: 0 });
    await stack.write(topic.name, [{ key: 'k', value: 0 }]);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name, '?from=latest');
    const polling = api.read(email, topic.name, 'k', '?wait_ms=10000');
    await waitFor(() => stack.gateway.waiters.stats.waiters === 1, { what: 'the poll to wait' });

    // The partition's end moves past offset 1 while the list holding it cannot be read, and the wake-up
    // fires: the poll reads again and fails.
    await stack.redis.del(keys.segment(0));
    await stack.redis.set(keys.segment(0), 'not a list');
    await stack.redis.hset(keys.state, 'next', 2);
    await stack.redis.spublish(keys.appended, '2');
    const answer = await polling;
    expect(answer.statusCode).toBeGreaterThanOrEqual(500);
    expect(await committedOffset(email, topic.name)).toBe(1);
  });
});

describe('reads bounded in bytes', () => {
  it('return at most max_bytes of records, but always at least one, and move the offset only past those', async () => {
    const topic = await stack.createTopic(1, { max_record_bytes: 2 * 1024 * 1024 });
    const big = 'x'.repeat(600 * 1024);
    await stack.write(topic.name, Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: `${i}${big}` })));
    await stack.write(topic.name, Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: i })));
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);

    // 1 MiB (the default) holds one 600 KiB record, not two.
    const first = (await api.read(email, topic.name, 'k', '?max=100')).json();
    expect(offsetsOf(first.messages)).toEqual([0]);
    expect(first.next_offset).toBe(1);
    // A limit below one record's size still returns that record.
    expect(offsetsOf((await api.read(email, topic.name, 'k', '?max=100&max_bytes=1')).json().messages)).toEqual([1]);
    // A larger limit takes more: two 600 KiB records fit in 1.3 MB, a third would not.
    expect(offsetsOf((await api.read(email, topic.name, 'k', '?max=100&max_bytes=1300000')).json().messages)).toEqual([2, 3]);
    expect(offsetsOf((await api.read(email, topic.name, 'k', '?max=100')).json().messages)).toEqual([4]);
    // Small records fill what is left of the limit, and max still applies.
    expect(offsetsOf((await api.read(email, topic.name, 'k', '?max=5')).json().messages)).toEqual([5, 6, 7, 8, 9]);
    expect(await committedOffset(email, topic.name)).toBe(10);
  });

  it('refuses a max_bytes out of range', async () => {
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    for (const bad of ['0', '16777217', 'lots']) {
      const response = await api.read(email, topic.name, 'k', `?max_bytes=${bad}`);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/max_bytes/);
    }
  });
});
