// Browsing a partition without consumer state: GET /topics/:topic/partitions/:partition/records.
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

const browse = (topic: string, partition: number | string, query = '') =>
  broker.app.inject({ method: 'GET', url: `/topics/${topic}/partitions/${partition}/records${query}` });

/** A one-partition topic holding `count` records with values 0.. and the append time of each. */
async function topicWith(count: number): Promise<{ topic: string; timestamps: number[] }> {
  const topic = uniqueName('browse');
  expect((await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` })).statusCode).toBe(201);
  const timestamps: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: `k${i}`, value: i } });
    timestamps.push(response.json().timestamp);
  }
  return { topic, timestamps };
}

const offsets = (response: { json(): any }) => (response.json().messages as Array<{ offset: number }>).map((m) => m.offset);

describe('GET /topics/:topic/partitions/:partition/records', () => {
  it('answers records from the log start by default, where the next browse starts, and moves nothing', async () => {
    const { topic } = await topicWith(5);
    const first = await browse(topic, 0, '?max=2');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      topic,
      partition: 0,
      log_start_offset: 0,
      high_watermark: 5,
      next_offset: 2,
      messages: [
        { partition: 0, offset: 0, timestamp: expect.any(Number), key: 'k0', headers: {}, value: 0 },
        { partition: 0, offset: 1, timestamp: expect.any(Number), key: 'k1', headers: {}, value: 1 },
      ],
    });
    // Nothing moved: the same browse answers the same records.
    expect(offsets(await browse(topic, 0, '?max=2'))).toEqual([0, 1]);
    expect(offsets(await browse(topic, 0, '?offset=2&max=100'))).toEqual([2, 3, 4]);
    expect((await browse(topic, 0, '?offset=5')).json()).toMatchObject({ next_offset: 5, messages: [] });
  });

  it('starts at the first record appended at or after a timestamp', async () => {
    const { topic, timestamps } = await topicWith(4);
    expect(offsets(await browse(topic, 0, `?timestamp=${timestamps[2]}`))[0]).toBeLessThanOrEqual(2);
    expect(offsets(await browse(topic, 0, `?timestamp=${timestamps[3]! + 1}`))).toEqual([]);
    expect(offsets(await browse(topic, 0, '?timestamp=0'))).toEqual([0, 1, 2, 3]);
  });

  it('refuses an offset past the end, both offset and timestamp, unknown topics and partitions', async () => {
    const { topic } = await topicWith(1);
    expect((await browse(topic, 0, '?offset=2')).json()).toMatchObject({ statusCode: 400, code: 'INVALID_OFFSET' });
    expect((await browse(topic, 0, '?offset=0&timestamp=0')).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    expect((await browse(topic, 1)).json()).toMatchObject({ statusCode: 404, code: 'PARTITION_NOT_FOUND' });
    expect((await browse(uniqueName('missing'), 0)).json()).toMatchObject({ statusCode: 404, code: 'TOPIC_NOT_FOUND' });
    expect((await browse(topic, 0, '?max=0')).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    expect((await browse(topic, 'x')).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
  });
});
