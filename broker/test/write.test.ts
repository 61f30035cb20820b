import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { decodeEntry, partitionFor, partitionKeys, segmentSlices, type RedisClient } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName } from '@tributary/testkit';

const config = testConfig({ maxBodyBytes: 4 * 1024 * 1024, maxBatchRecords: 5_000 });
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

const write = (topic: string, payload: unknown, headers?: Record<string, string>) =>
  broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: payload as object, ...(headers ? { headers } : {}) });

async function create(partitions: number, body?: object): Promise<{ name: string; id: string }> {
  const name = uniqueName('w');
  const response = await broker.app.inject({ method: 'POST', url: `/create_topic/${name}/${partitions}`, ...(body ? { payload: body } : {}) });
  expect(response.statusCode, response.body).toBe(201);
  return { name, id: response.json().id };
}

/** Every record of a partition as stored, read straight from its segment lists. */
async function stored(topicId: string, partition: number) {
  const keys = partitionKeys({ topicId, partition });
  const next = Number(await redis.hget(keys.state, 'next'));
  const entries: string[] = [];
  for (const { base, start, stop } of segmentSlices(0, next, 1000)) entries.push(...(await redis.lrange(keys.segment(base), start, stop)));
  return entries.map((entry, offset) => decodeEntry(entry, offset));
}

describe('single write', () => {
  it('answers {topic, partition, offset, timestamp} and stores the record where Kafka would put it', async () => {
    const { name, id } = await create(3);
    const before = Date.now();
    const response = await write(name, { key: 'kafka', value: { text: 'Breaking news update' }, headers: { source: 'wire' } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ topic: name, partition: 1, offset: 0 }); // "kafka" → 1 of 3 (docs/invariants.md I2)
    expect(body.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(await stored(id, 1)).toEqual([
      { offset: 0, timestamp: body.timestamp, key: 'kafka', value: { text: 'Breaking news update' }, headers: { source: 'wire' } },
    ]);
  });

  it('accepts any JSON value, including null, and the empty key', async () => {
    const { name } = await create(1);
    for (const value of [null, 0, false, 'text', [1, 2], { nested: { deep: true } }]) {
      expect((await write(name, { key: '', value })).statusCode).toBe(200);
    }
  });

  it('gives each partition its own offsets, assigned in append order', async () => {
    const { name } = await create(4);
    const offsets = new Map<number, number[]>();
    for (let i = 0; i < 40; i++) {
      const { partition, offset } = (await write(name, { key: `user-${i}`, value: i })).json();
      expect(partition).toBe(partitionFor(`user-${i}`, 4));
      offsets.set(partition, [...(offsets.get(partition) ?? []), offset]);
    }
    for (const list of offsets.values()) expect(list).toEqual(list.map((_, i) => i));
  });
});

describe('batch write', () => {
  it('answers one result per record in input order, contiguous per partition', async () => {
    const { name, id } = await create(3);
    const records = Array.from({ length: 2_500 }, (_, i) => ({ key: `key-${i % 17}`, value: { i } }));
    const response = await write(name, { records });
    expect(response.statusCode).toBe(200);
    const { topic, results } = response.json() as { topic: string; results: Array<{ partition: number; offset: number; timestamp: number }> };
    expect(topic).toBe(name);
    expect(results).toHaveLength(2_500);
    const seen = new Map<number, number>();
    results.forEach((result, i) => {
      expect(result.partition).toBe(partitionFor(records[i]!.key, 3));
      const expected = seen.get(result.partition) ?? 0;
      expect(result.offset).toBe(expected);
      seen.set(result.partition, expected + 1);
    });
    // What is stored matches what was answered, record for record.
    for (const [partition, count] of seen) {
      const log = await stored(id, partition);
      expect(log).toHaveLength(count);
      const sent = records.filter((_, i) => results[i]!.partition === partition);
      expect(log.map((r) => r.value)).toEqual(sent.map((r) => r.value));
    }
  });

  it('keeps offsets unique and contiguous under hundreds of concurrent writers to one partition (I1)', async () => {
    const { name, id } = await create(1);
    const singles = Array.from({ length: 400 }, (_, i) => write(name, { key: 'same', value: i }));
    const batches = Array.from({ length: 20 }, (_, b) =>
      write(name, { records: Array.from({ length: 150 }, (_, i) => ({ key: 'same', value: `b${b}-${i}` })) }),
    );
    const responses = await Promise.all([...singles, ...batches]);
    const offsets: number[] = [];
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      const body = response.json();
      if (body.results) {
        const batchOffsets = body.results.map((r: { offset: number }) => r.offset);
        // One request's records are contiguous, in input order.
        expect(batchOffsets).toEqual(batchOffsets.map((_: number, i: number) => batchOffsets[0] + i));
        offsets.push(...batchOffsets);
      } else {
        offsets.push(body.offset);
      }
    }
    const total = 400 + 20 * 150;
    expect(new Set(offsets).size).toBe(total);
    expect(Math.min(...offsets)).toBe(0);
    expect(Math.max(...offsets)).toBe(total - 1);
    const log = await stored(id, 0);
    expect(log).toHaveLength(total);
  });

  it('never puts more than one segment of records in a Redis list (I3)', async () => {
    const { name, id } = await create(1);
    for (let i = 0; i < 3; i++) {
      await write(name, { records: Array.from({ length: 1_700 }, (_, j) => ({ key: 'k', value: j })) });
    }
    const keys = partitionKeys({ topicId: id, partition: 0 });
    const lengths = await Promise.all([0, 1000, 2000, 3000, 4000, 5000].map((base) => redis.llen(keys.segment(base))));
    expect(lengths).toEqual([1000, 1000, 1000, 1000, 1000, 100]);
    // The segment index records each segment's first append time, for retention and time seeks.
    expect(await redis.zrange(keys.segments, 0, -1)).toEqual(['0', '1000', '2000', '3000', '4000', '5000']);
  });
});

describe('write errors', () => {
  it('answers 404 TOPIC_NOT_FOUND for an unknown topic', async () => {
    const response = await write(uniqueName('missing'), { key: 'a', value: 1 });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'TOPIC_NOT_FOUND', message: expect.stringContaining('does not exist') });
  });

  it.each([
    ['no key', { value: 1 }, /body\.key is required/],
    ['no value', { key: 'a' }, /body\.value is required/],
    ['a numeric key', { key: 42, value: 1 }, /body\.key must be string/],
    ['headers that are not strings', { key: 'a', value: 1, headers: { n: 1 } }, /body\.headers\.n must be string/],
    ['an unknown field', { key: 'a', value: 1, partition: 2 }, /body\.partition is not a known field/],
    ['both forms at once', { key: 'a', value: 1, records: [{ key: 'b', value: 2 }] }, /either/],
    ['an empty batch', { records: [] }, /body\.records must NOT have fewer than 1 items/],
    ['a batch record without a key', { records: [{ key: 'a', value: 1 }, { value: 2 }] }, /body\.records\[1\]\.key is required/],
    ['a body that is not an object', [1, 2], /body must be object/],
  ])('answers 400 INVALID_REQUEST for %s, naming the field', async (_what, payload, message) => {
    const { name } = await create(1);
    const response = await write(name, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST', error: 'Bad Request' });
    expect(response.json().message).toMatch(message);
  });

  it('answers 400 for a batch over the configured maximum', async () => {
    const { name } = await create(1);
    const response = await write(name, { records: Array.from({ length: 5_001 }, () => ({ key: 'k', value: 1 })) });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/body\.records must NOT have more than 5000 items/);
  });

  it('answers 400 INVALID_REQUEST without a body, and 400 INVALID_JSON for broken JSON', async () => {
    const { name } = await create(1);
    const empty = await broker.app.inject({ method: 'POST', url: `/write/${name}` });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('INVALID_REQUEST');
    const broken = await write(name, '{"key": "a", "value": ', { 'content-type': 'application/json' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('INVALID_JSON');
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    const { name } = await create(1);
    const response = await write(name, 'key=a&value=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 RECORD_TOO_LARGE past the topic limit, storing nothing of the request', async () => {
    const { name, id } = await create(1, { max_record_bytes: 1000 });
    const ok = await write(name, { key: 'k', value: 'x'.repeat(900) });
    expect(ok.statusCode).toBe(200);
    const tooBig = await write(name, { key: 'k', value: 'é'.repeat(600) }); // 1200 bytes of UTF-8, 600 characters
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toMatchObject({ code: 'RECORD_TOO_LARGE', error: 'Payload Too Large' });
    const batch = await write(name, { records: [{ key: 'a', value: 1 }, { key: 'b', value: 'x'.repeat(2000) }] });
    expect(batch.statusCode).toBe(413);
    expect(batch.json().message).toMatch(/record 1 is \d+ bytes/);
    expect(await stored(id, 0)).toHaveLength(1);
  });

  it('answers 413 BODY_TOO_LARGE past the request body limit', async () => {
    const { name } = await create(1);
    const response = await write(name, { key: 'k', value: 'x'.repeat(5 * 1024 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('BODY_TOO_LARGE');
  });

  it('answers 400 for a topic name that breaks the rules', async () => {
    const response = await write('bad$name', { key: 'k', value: 1 });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/params\.topic must be 1-249 characters/);
  });
});

describe('a batch that only partly succeeds', () => {
  it('keeps what was stored and answers 503 PARTIAL_WRITE with each record’s outcome, so a client retries only the rest', async () => {
    const { name, id } = await create(2);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const byPartition = (p: number) => keys.filter((key) => partitionFor(key, 2) === p);
    expect(byPartition(0).length).toBeGreaterThan(0);
    expect(byPartition(1).length).toBeGreaterThan(0);
    // One partition fails every append (its segment index is not a sorted set): the other's must stand.
    await redis.set(partitionKeys({ topicId: id, partition: 1 }).segments, 'not a sorted set');

    const response = await write(name, { records: keys.map((key, i) => ({ key, value: i })) });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    const body = response.json();
    expect(body).toMatchObject({ statusCode: 503, code: 'PARTIAL_WRITE', error: 'Service Unavailable', retriable: true, topic: name });
    expect(body.message).toBe(`${byPartition(0).length} of 6 records were stored and ${byPartition(1).length} were not: retry only those whose result has a code`);
    let offset = 0;
    keys.forEach((key, i) => {
      if (partitionFor(key, 2) === 0) {
        expect(body.results[i]).toEqual({ partition: 0, offset: offset++, timestamp: expect.any(Number) });
      } else {
        expect(body.results[i]).toEqual({ partition: 1, code: 'INTERNAL_ERROR', message: expect.any(String), retriable: false });
      }
    });
    expect((await stored(id, 0)).map((record) => record.key)).toEqual(byPartition(0));
  });

  it('answers 404 when a partition refuses as deleted: the topic is being deleted, and what the others stored is as unreachable', async () => {
    const { name, id } = await create(2);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(new Set(keys.map((key) => partitionFor(key, 2))).size).toBe(2);
    // delete_topic marks partitions one at a time: a batch may meet one marked and one not yet.
    await redis.hset(partitionKeys({ topicId: id, partition: 1 }).state, 'deleted', '1');

    const response = await write(name, { records: keys.map((key, i) => ({ key, value: i })) });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'TOPIC_NOT_FOUND', retriable: false });
  });

  it('answers the error itself when no record was stored', async () => {
    const { name, id } = await create(1);
    await redis.hset(partitionKeys({ topicId: id, partition: 0 }).state, 'deleted', '1');
    const response = await write(name, { records: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }] });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'TOPIC_NOT_FOUND', message: `topic "${name}" was deleted` });
  });
});
