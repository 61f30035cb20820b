import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { decodeEntry, partitionKeys, type Appended, type RedisClient, type Topic } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName } from '@tributary/testkit';
import { GroupCommit } from '../src/group-commit.js';

const topic = { id: 't1', name: 'topic' } as Topic;
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A fake LogStore.append: answers when told to, assigns offsets like the script, treats ids seen before as duplicates. */
function fakeLog() {
  const calls: Array<{ payloads: readonly string[]; ids: readonly string[] | undefined; answer(): void; fail(err: unknown): void }> = [];
  let next = 0;
  const seen = new Map<string, number>();
  const append = (_topic: Topic, _partition: number, payloads: readonly string[], ids?: readonly string[]) =>
    new Promise<Appended>((resolve, reject) => {
      calls.push({
        payloads,
        ids,
        answer() {
          const firstOffset = next;
          const duplicates = new Map<number, { offset: number; timestamp: number }>();
          payloads.forEach((_, i) => {
            const id = ids?.[i];
            if (id && seen.has(id)) duplicates.set(i, { offset: seen.get(id)!, timestamp: 1 });
            else if (id) seen.set(id, next++);
            else next++;
          });
          resolve({ firstOffset, timestamp: 7, ...(duplicates.size > 0 ? { duplicates } : {}) });
        },
        fail: reject,
      });
    });
  return { calls, append };
}

describe('group commit', () => {
  it('sends a request at once when its partition is idle, and what arrives meanwhile as one call after it', async () => {
    const log = fakeLog();
    const commit = new GroupCommit(log);
    const first = commit.append(topic, 0, ['a']);
    const second = commit.append(topic, 0, ['b', 'c']);
    const third = commit.append(topic, 0, ['d']);
    expect(log.calls.map((c) => c.payloads)).toEqual([['a']]);
    log.calls[0]!.answer();
    expect(await first).toEqual({ firstOffset: 0, timestamp: 7 });
    await flush();
    expect(log.calls.map((c) => c.payloads)).toEqual([['a'], ['b', 'c', 'd']]);
    log.calls[1]!.answer();
    expect(await second).toEqual({ firstOffset: 1, timestamp: 7 });
    expect(await third).toEqual({ firstOffset: 3, timestamp: 7 });
  });

  it('keeps partitions apart', async () => {
    const log = fakeLog();
    const commit = new GroupCommit(log);
    void commit.append(topic, 0, ['a']);
    void commit.append(topic, 1, ['b']);
    void commit.append({ ...topic, id: 't2' }, 0, ['c']);
    expect(log.calls.map((c) => c.payloads)).toEqual([['a'], ['b'], ['c']]);
  });

  it("gives each request its own duplicates, indexed in its own records, and ids '' to requests without", async () => {
    const log = fakeLog();
    const commit = new GroupCommit(log);
    const first = commit.append(topic, 0, ['a'], ['x']);
    const plain = commit.append(topic, 0, ['b']);
    const repeat = commit.append(topic, 0, ['c', 'd', 'e'], ['y', 'x', 'y']);
    log.calls[0]!.answer();
    await first;
    await flush();
    expect(log.calls[1]!.ids).toEqual(['', 'y', 'x', 'y']);
    log.calls[1]!.answer();
    expect(await plain).toEqual({ firstOffset: 1, timestamp: 7 });
    // 'y' is new at offset 2; 'x' repeats offset 0; the second 'y' repeats offset 2.
    expect(await repeat).toEqual({
      firstOffset: 2,
      timestamp: 7,
      duplicates: new Map([
        [1, { offset: 0, timestamp: 1 }],
        [2, { offset: 2, timestamp: 1 }],
      ]),
    });
  });

  it('fails every request of a failed call with its error, and goes on with the next', async () => {
    const log = fakeLog();
    const commit = new GroupCommit(log);
    const first = commit.append(topic, 0, ['a']);
    const second = commit.append(topic, 0, ['b']);
    const third = commit.append(topic, 0, ['c']);
    log.calls[0]!.answer();
    await first;
    await flush();
    const failure = new Error('outcome unknown');
    log.calls[1]!.fail(failure);
    await expect(second).rejects.toBe(failure);
    await expect(third).rejects.toBe(failure);
    const fourth = commit.append(topic, 0, ['d']);
    log.calls[2]!.answer();
    expect(await fourth).toEqual({ firstOffset: 1, timestamp: 7 });
  });
});

describe('group commit through the broker', () => {
  const config = testConfig();
  let broker: Broker;
  let redis: RedisClient;
  beforeAll(async () => {
    broker = await createBroker(config);
    redis = await inspectRedis();
  });
  afterAll(async () => {
    await broker?.close();
    redis?.disconnect();
  });

  it('answers every concurrent writer the offset that holds its own record', async () => {
    const name = uniqueName('gc');
    const created = await broker.app.inject({ method: 'POST', url: `/create_topic/${name}/1` });
    const { id } = created.json();
    const write = (payload: object) => broker.app.inject({ method: 'POST', url: `/write/${name}`, payload });
    const singles = Array.from({ length: 300 }, (_, i) => write({ key: 'k', value: `s${i}`, ...(i % 3 === 0 ? { id: `id-${i}` } : {}) }));
    const batches = Array.from({ length: 10 }, (_, b) => write({ records: Array.from({ length: 30 }, (_, i) => ({ key: 'k', value: `b${b}-${i}` })) }));
    const answers = (await Promise.all([...singles, ...batches])).map((response) => response.json());
    const keys = partitionKeys({ topicId: id, partition: 0 });
    const stored = (await redis.lrange(keys.segment(0), 0, -1)).map((entry, offset) => decodeEntry(entry, offset));
    expect(stored).toHaveLength(600);
    answers.slice(0, 300).forEach((answer, i) => expect(stored[answer.offset]!.value).toBe(`s${i}`));
    answers.slice(300).forEach((answer, b) =>
      answer.results.forEach((result: { offset: number }, i: number) => expect(stored[result.offset]!.value).toBe(`b${b}-${i}`)),
    );
  });
});
