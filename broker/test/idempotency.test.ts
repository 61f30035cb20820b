// Idempotent writes (docs/invariants.md I8): a record id seen within the topic's dedup window is not appended again,
// atomically with the append, and "did my write land?" is answered by GET /topics/:topic/ids/:id.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { decodeEntry, partitionFor, partitionKeys, segmentSlices } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName, waitFor } from '@tributary/testkit';

const config = testConfig({ retentionCheckMs: 200 });
let broker: Broker;
let redis: Redis;

beforeAll(async () => {
  broker = await createBroker(config);
  redis = (await inspectRedis()) as Redis;
});
afterAll(async () => {
  await broker?.close();
  redis?.disconnect();
});

const write = (topic: string, payload: object) => broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload });
const status = (topic: string, id: string) => broker.app.inject({ method: 'GET', url: `/topics/${topic}/ids/${encodeURIComponent(id)}` });

async function create(partitions: number, config?: object): Promise<{ name: string; id: string }> {
  const name = uniqueName('idem');
  const response = await broker.app.inject({ method: 'POST', url: `/create_topic/${name}/${partitions}`, ...(config ? { payload: config } : {}) });
  expect(response.statusCode, response.body).toBe(201);
  return { name, id: response.json().id };
}

async function stored(topicId: string, partition: number) {
  const keys = partitionKeys({ topicId, partition });
  const next = Number(await redis.hget(keys.state, 'next'));
  const entries: string[] = [];
  for (const { base, start, stop } of segmentSlices(0, next, 1000)) entries.push(...(await redis.lrange(keys.segment(base), start, stop)));
  return entries.map((entry, offset) => decodeEntry(entry, offset));
}

describe('record ids', () => {
  it('a second write of an id answers the first one’s partition, offset and timestamp, with duplicate: true', async () => {
    const { name, id } = await create(3);
    const first = await write(name, { key: 'user-1', value: 'once', id: 'evt-1' });
    expect(first.statusCode).toBe(200);
    expect(first.json().duplicate).toBeUndefined();
    const again = await write(name, { key: 'user-1', value: 'once', id: 'evt-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...first.json(), duplicate: true });
    expect((await stored(id, first.json().partition)).map((r) => r.value)).toEqual(['once']);
  });

  it('in batches: duplicates of earlier writes and within the batch are skipped, the others get contiguous offsets', async () => {
    const { name, id } = await create(1);
    await write(name, { key: 'k', value: 'a', id: 'a' });
    const batch = await write(name, {
      records: [
        { key: 'k', value: 'b', id: 'b' },
        { key: 'k', value: 'a again', id: 'a' },
        { key: 'k', value: 'no id' },
        { key: 'k', value: 'b again', id: 'b' },
        { key: 'k', value: 'c', id: 'c' },
      ],
    });
    expect(batch.statusCode).toBe(200);
    const results = batch.json().results;
    expect(results.map((r: { offset: number; duplicate?: boolean }) => [r.offset, r.duplicate ?? false])).toEqual([
      [1, false],
      [0, true],
      [2, false],
      [1, true],
      [3, false],
    ]);
    expect((await stored(id, 0)).map((r) => r.value)).toEqual(['a', 'b', 'no id', 'c']);
  });

  it('stores one record when many copies of an id race, through one broker or two', async () => {
    const { name, id } = await create(1);
    const other = await createBroker({ ...config, instanceId: uniqueName('other') });
    try {
      const copies = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? broker : other).app.inject({ method: 'POST', url: `/write/${name}`, payload: { key: 'k', value: i, id: 'the-one' } }),
        ),
      );
      const answers = copies.map((response) => response.json());
      expect(copies.every((response) => response.statusCode === 200)).toBe(true);
      expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
      expect(new Set(answers.map((answer) => answer.offset))).toEqual(new Set([0]));
      expect(await stored(id, 0)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('a keyless record with an id goes where its id hashes to, so its retry is a duplicate, not a second copy', async () => {
    const { name } = await create(6);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await write(name, { key: null, value: 'keyless', id: 'no-key-1' })).json());
    expect(answers[0].partition).toBe(partitionFor('no-key-1', 6));
    expect(answers[0].duplicate).toBeUndefined();
    for (const later of answers.slice(1)) expect(later).toEqual({ ...answers[0], duplicate: true });
  });

  it('GET /topics/:topic/ids/:id says where the record went while the id is in the window', async () => {
    const { name } = await create(4);
    const written = (await write(name, { key: 'order-9', value: 1, id: 'order-9/created' })).json();
    const found = await status(name, 'order-9/created');
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual({ topic: name, id: 'order-9/created', partition: partitionFor('order-9', 4), offset: written.offset, timestamp: written.timestamp });

    const missing = await status(name, 'never-written');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'RECORD_ID_NOT_FOUND', message: `no record with id "never-written" was written to topic "${name}" in the last 120000 ms (its dedup window)` });
    expect((await status(uniqueName('nope'), 'x')).json().code).toBe('TOPIC_NOT_FOUND');
  });

  it('forgets ids once they leave the window: the id is written again, and its dedup state is gone', async () => {
    const { name, id } = await create(1, { dedup_window_ms: 300 });
    const first = (await write(name, { key: 'k', value: 1, id: 'short-lived' })).json();
    expect((await write(name, { key: 'k', value: 1, id: 'short-lived' })).json().duplicate).toBe(true);
    await waitFor(async () => (await status(name, 'short-lived')).statusCode === 404, { what: 'the id to leave the window' });
    const later = (await write(name, { key: 'k', value: 2, id: 'short-lived' })).json();
    expect(later).toMatchObject({ offset: first.offset + 1 });
    expect(later.duplicate).toBeUndefined();
    // The controller's retention pass forgets ids the appends did not: nothing is left once the window passed.
    const keys = partitionKeys({ topicId: id, partition: 0 });
    await waitFor(async () => (await redis.hlen(keys.ids)) === 0 && (await redis.llen(keys.idsLog)) === 0, { what: 'ids forgotten' });
  });

  it('a topic with dedup_window_ms 0 does not check ids', async () => {
    const { name, id } = await create(1, { dedup_window_ms: 0 });
    for (let i = 0; i < 2; i++) expect((await write(name, { key: 'k', value: i, id: 'same' })).json().duplicate).toBeUndefined();
    expect(await stored(id, 0)).toHaveLength(2);
    const described = (await broker.app.inject({ method: 'GET', url: `/topics/${name}` })).json();
    expect(described.config.dedup_window_ms).toBe(0);
  });

  it('refuses ids that are empty or longer than 128 characters, and windows out of range', async () => {
    const { name } = await create(1);
    for (const bad of ['', 'x'.repeat(129)]) {
      const response = await write(name, { key: 'k', value: 1, id: bad });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('INVALID_REQUEST');
    }
    expect((await write(name, { key: 'k', value: 1, id: 'x'.repeat(128) })).statusCode).toBe(200);
    const badWindow = await broker.app.inject({ method: 'POST', url: `/create_topic/${uniqueName('w')}/1`, payload: { dedup_window_ms: -1 } });
    expect(badWindow.statusCode).toBe(400);
    expect(badWindow.json()).toMatchObject({ code: 'INVALID_TOPIC_CONFIG', message: 'dedup_window_ms must be an integer from 0 (ids not checked) to 604800000 (7 days)' });
  });
});
