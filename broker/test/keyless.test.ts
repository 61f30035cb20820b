// Keyless records ("key": null, Kafka's null key): accepted, spread over the partitions one request at a time,
// stored and served with a null key. A record with no key field at all is still a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { testConfig, uniqueName } from '@tributary/testkit';

let broker: Broker;

beforeAll(async () => {
  broker = await createBroker(testConfig());
});
afterAll(async () => {
  await broker?.close();
});

const write = (topic: string, payload: object) => broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload });

async function create(partitions: number): Promise<string> {
  const name = uniqueName('keyless');
  const response = await broker.app.inject({ method: 'POST', url: `/create_topic/${name}/${partitions}` });
  expect(response.statusCode, response.body).toBe(201);
  return name;
}

describe('keyless records', () => {
  it('accepts "key": null and stores the record with a null key', async () => {
    const topic = await create(3);
    const written = await write(topic, { key: null, value: { n: 1 }, headers: { h: 'v' } });
    expect(written.statusCode, written.body).toBe(200);
    const { partition, offset } = written.json();
    const browsed = await broker.app.inject({ method: 'GET', url: `/topics/${topic}/partitions/${partition}/records?offset=${offset}` });
    expect(browsed.json().messages).toEqual([{ partition, offset, timestamp: expect.any(Number), key: null, headers: { h: 'v' }, value: { n: 1 } }]);
  });

  it('puts the keyless records of one request in one partition, with contiguous offsets', async () => {
    const topic = await create(4);
    const response = await write(topic, { records: Array.from({ length: 50 }, (_, i) => ({ key: null, value: i })) });
    expect(response.statusCode, response.body).toBe(200);
    const results = response.json().results as Array<{ partition: number; offset: number }>;
    expect(new Set(results.map((r) => r.partition)).size).toBe(1);
    expect(results.map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('spreads successive requests over every partition (round robin), keyed records still by the partitioner', async () => {
    const topic = await create(4);
    const partitions: number[] = [];
    for (let i = 0; i < 8; i++) partitions.push((await write(topic, { key: null, value: i })).json().partition);
    expect(new Set(partitions)).toEqual(new Set([0, 1, 2, 3]));
    // Round robin: each next request goes to the next partition.
    partitions.slice(1).forEach((p, i) => expect(p).toBe((partitions[i]! + 1) % 4));
    const mixed = await write(topic, { records: [{ key: 'kafka', value: 1 }, { key: null, value: 2 }] });
    expect(mixed.json().results[0].partition).toBe(0); // "kafka" → 0 of 4 (docs/invariants.md I2)
  });

  it('still refuses a record with no key field at all', async () => {
    const topic = await create(1);
    const single = await write(topic, { value: 1 });
    expect(single.statusCode).toBe(400);
    expect(single.json()).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/body\.key is required/) });
    const batch = await write(topic, { records: [{ key: null, value: 1 }, { value: 2 }] });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().message).toMatch(/body\.records\[1\]\.key is required/);
  });
});
