// PATCH /topics/:topic: config changes and partitions only upwards, made through one broker and seen by another
// from its ZooKeeper watch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

const config = testConfig({ maxPartitions: 16 });
let a: Broker;
let b: Broker;

beforeAll(async () => {
  [a, b] = await Promise.all([createBroker(config), createBroker(testConfig({ zookeeperRoot: config.zookeeperRoot, maxPartitions: 16 }))]);
});
afterAll(async () => {
  await Promise.all([a, b].map((broker) => broker?.close()));
});

const call = (broker: Broker, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  broker.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

async function create(partitions = 2, body?: object): Promise<string> {
  const topic = uniqueName('alter');
  const response = await call(a, 'POST', `/create_topic/${topic}/${partitions}`, body);
  expect(response.statusCode, response.body).toBe(201);
  await waitFor(() => b.topics.get(topic), { what: `broker B to see ${topic}` });
  return topic;
}

async function alter(topic: string, body: object, broker = a) {
  return call(broker, 'PATCH', `/topics/${topic}`, body);
}

/** Broker B sees what `check` looks for within a second of the change. */
const onB = (check: () => Promise<boolean> | boolean, what: string) => waitFor(check, { what, timeoutMs: 1_000 });

describe('PATCH /topics/:topic', () => {
  it('changes retention_ms, and broker B describes it within a second', async () => {
    const topic = await create();
    const response = await alter(topic, { retention_ms: 60_000 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().config.retention_ms).toBe(60_000);
    expect(response.json().warnings).toBeUndefined();
    await onB(async () => (await call(b, 'GET', `/topics/${topic}`)).json().config.retention_ms === 60_000, 'the new retention on B');
    expect((await alter(topic, { retention_ms: -1 })).json().config.retention_ms).toBe(-1);
    const bad = await alter(topic, { retention_ms: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_TOPIC_CONFIG');
  });

  it('changes max_record_bytes: broker B refuses a record over the new size within a second, and takes it again once raised', async () => {
    const topic = await create();
    const record = { key: 'k', value: 'x'.repeat(300) };
    expect((await call(b, 'POST', `/write/${topic}`, record)).statusCode).toBe(200);
    expect((await alter(topic, { max_record_bytes: 100 })).statusCode).toBe(200);
    await onB(async () => (await call(b, 'POST', `/write/${topic}`, record)).statusCode === 413, 'B to refuse the large record');
    expect((await call(b, 'POST', `/write/${topic}`, record)).json().code).toBe('RECORD_TOO_LARGE');
    expect((await alter(topic, { max_record_bytes: 4096 }, b)).statusCode).toBe(200);
    await onB(async () => (await call(a, 'POST', `/write/${topic}`, record)).statusCode === 200, 'A to take the record again');
    expect((await alter(topic, { max_record_bytes: 0 })).json().code).toBe('INVALID_TOPIC_CONFIG');
  });

  it('changes dedup_window_ms: with 0, broker B stores a repeated id again', async () => {
    const topic = await create(1);
    const first = await call(b, 'POST', `/write/${topic}`, { key: 'k', value: 1, id: 'same' });
    expect((await call(b, 'POST', `/write/${topic}`, { key: 'k', value: 1, id: 'same' })).json()).toMatchObject({ duplicate: true, offset: first.json().offset });
    const response = await alter(topic, { dedup_window_ms: 0 });
    expect(response.json().config.dedup_window_ms).toBe(0);
    await onB(async () => {
      const again = (await call(b, 'POST', `/write/${topic}`, { key: 'k', value: 1, id: 'same' })).json();
      return again.duplicate !== true && again.offset > first.json().offset;
    }, 'B to stop checking ids');
    expect((await alter(topic, { dedup_window_ms: 8 * 24 * 3600 * 1000 })).json().code).toBe('INVALID_TOPIC_CONFIG');
  });

  it('grows the partition count with a warning; broker B writes to and reads the new partitions within a second', async () => {
    const topic = await create(2);
    const response = await alter(topic, { partitions: 4 });
    expect(response.statusCode, response.body).toBe(200);
    const grown = response.json();
    expect(grown.partition_count).toBe(4);
    expect(grown.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(grown.warnings).toEqual([expect.stringMatching(/grew from 2 to 4 partitions: records with a key may now go to a different partition/)]);
    await onB(() => b.topics.get(topic)?.partitions === 4, 'B to see 4 partitions');
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: i }));
    const written = await call(b, 'POST', `/write/${topic}`, { records });
    expect(written.statusCode, written.body).toBe(200);
    const partitions = new Set(written.json().results.map((r: { partition: number }) => r.partition));
    expect([...partitions].some((p) => (p as number) >= 2)).toBe(true);
    const read = await call(b, 'GET', `/topics/${topic}/partitions/3/records?offset=0`);
    expect(read.statusCode, read.body).toBe(200);
  });

  it('refuses fewer partitions, more than the maximum, and keeps the same count without a warning', async () => {
    const topic = await create(3);
    const fewer = await alter(topic, { partitions: 2 });
    expect(fewer.statusCode).toBe(400);
    expect(fewer.json()).toMatchObject({ code: 'INVALID_PARTITION_COUNT', message: expect.stringMatching(/has 3 partitions: the count can only grow/) });
    expect((await alter(topic, { partitions: 17 })).json().code).toBe('INVALID_PARTITION_COUNT');
    expect((await alter(topic, { partitions: 0 })).json().code).toBe('INVALID_PARTITION_COUNT');
    const same = await alter(topic, { partitions: 3 });
    expect(same.statusCode).toBe(200);
    expect(same.json().warnings).toBeUndefined();
    expect((await call(a, 'GET', `/topics/${topic}`)).json().partition_count).toBe(3);
  });

  it('refuses unknown fields, an empty body, non-integers and unknown topics', async () => {
    const topic = await create();
    for (const body of [{}, { segment_records: 10 }, { retention_ms: '1h' }, { partitions: 2.5 }]) {
      const response = await alter(topic, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', retriable: false });
    }
    const missing = await alter(uniqueName('missing'), { retention_ms: 1000 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('TOPIC_NOT_FOUND');
  });

  it('applies concurrent alters through two brokers: neither change is lost', async () => {
    const topic = await create(2);
    const answers = await Promise.all([
      alter(topic, { retention_ms: 120_000 }, a),
      alter(topic, { max_record_bytes: 2048 }, b),
      alter(topic, { dedup_window_ms: 1_000 }, a),
      alter(topic, { partitions: 5 }, b),
    ]);
    for (const answer of answers) expect(answer.statusCode, answer.body).toBe(200);
    for (const broker of [a, b]) {
      await onB(async () => {
        const { config: c, partition_count } = (await call(broker, 'GET', `/topics/${topic}`)).json();
        return c.retention_ms === 120_000 && c.max_record_bytes === 2048 && c.dedup_window_ms === 1_000 && partition_count === 5;
      }, 'every change on both brokers');
    }
  });

  it('grows concurrently to different counts: the larger wins, the smaller is applied first or refused', async () => {
    const topic = await create(2);
    const [toFour, toSix] = await Promise.all([alter(topic, { partitions: 4 }, a), alter(topic, { partitions: 6 }, b)]);
    expect(toSix.statusCode, toSix.body).toBe(200);
    expect([200, 400]).toContain(toFour.statusCode);
    await onB(async () => (await call(a, 'GET', `/topics/${topic}`)).json().partition_count === 6, '6 partitions');
  });
});
