// Consumers (emails) reading beyond one key: GET /read/:email/:topic?partition=N and the whole topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
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

interface Message {
  partition: number;
  offset: number;
  key: string | null;
  value: unknown;
}

const readTopic = (email: string, topic: string, query = '') => stack.gateway.app.inject({ method: 'GET', url: `/read/${email}/${topic}${query}` });

/** A topic with `perPartition` records in each of its partitions (written keyless, one request per partition). */
async function filledTopic(partitions: number, perPartition: number) {
  const topic = await stack.createTopic(partitions);
  for (let i = 0; i < partitions; i++) {
    await stack.write(topic.name, Array.from({ length: perPartition }, (_, n) => ({ key: null, value: { n } })));
  }
  const email = uniqueEmail();
  expect((await api.subscribe(email, topic.name)).statusCode).toBe(201);
  return { topic: topic.name, email };
}

describe('GET /read/:email/:topic?partition=N', () => {
  it('reads one partition from the consumer offset, each message naming its partition, and commits', async () => {
    const { topic, email } = await filledTopic(3, 4);
    const first = await readTopic(email, topic, '?partition=1&max=3');
    expect(first.statusCode, first.body).toBe(200);
    const body = first.json();
    expect(body).toMatchObject({ email, topic, partition: 1, start_offset: 0, next_offset: 3, high_watermark: 4, lag: 1, committed: true });
    expect(body).not.toHaveProperty('key');
    expect(body.messages.map((m: Message) => [m.partition, m.offset, m.key])).toEqual([
      [1, 0, null],
      [1, 1, null],
      [1, 2, null],
    ]);
    expect(offsetsOf((await readTopic(email, topic, '?partition=1')).json().messages)).toEqual([3]);
    // The other partitions were not touched.
    expect(offsetsOf((await readTopic(email, topic, '?partition=0&commit=false')).json().messages)).toEqual([0, 1, 2, 3]);
    expect(offsetsOf((await readTopic(email, topic, '?partition=0')).json().messages)).toEqual([0, 1, 2, 3]);
  });

  it('answers 404 for a partition the topic does not have, 403 when not subscribed', async () => {
    const { topic, email } = await filledTopic(2, 0);
    expect((await readTopic(email, topic, '?partition=2')).json()).toMatchObject({ statusCode: 404, code: 'PARTITION_NOT_FOUND' });
    expect((await readTopic(uniqueEmail(), topic, '?partition=0')).json()).toMatchObject({ statusCode: 403, code: 'NOT_SUBSCRIBED' });
    expect((await readTopic(email, uniqueName('missing'))).json()).toMatchObject({ statusCode: 404, code: 'TOPIC_NOT_FOUND' });
  });
});

describe('GET /read/:email/:topic (every partition)', () => {
  it('shares the budget fairly among the partitions and says where each one’s next read starts', async () => {
    const { topic, email } = await filledTopic(3, 10);
    const response = await readTopic(email, topic, '?max=6');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ email, topic, committed: true, lag: 24 });
    const perPartition = [0, 1, 2].map((p) => body.messages.filter((m: Message) => m.partition === p).map((m: Message) => m.offset));
    expect(perPartition).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(body.partitions).toEqual(
      [0, 1, 2].map((partition) => ({ partition, start_offset: 0, next_offset: 2, log_start_offset: 0, high_watermark: 10, lag: 8 })),
    );
  });

  it('reads every record of every partition exactly once over successive reads, the budget going where records are', async () => {
    const topic = await stack.createTopic(4);
    const written = await stack.write(topic.name, Array.from({ length: 40 }, (_, i) => ({ key: `k${i % 7}`, value: i })));
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    const seen: string[] = [];
    for (;;) {
      const { messages, lag } = (await readTopic(email, topic.name, '?max=7')).json();
      seen.push(...messages.map((m: Message) => `${m.partition}/${m.offset}`));
      if (lag === 0) break;
    }
    expect(seen.sort()).toEqual(written.map((r) => `${r.partition}/${r.offset}`).sort());
  });

  it('with commit=false looks without moving anything', async () => {
    const { topic, email } = await filledTopic(2, 2);
    expect((await readTopic(email, topic, '?commit=false')).json().messages).toHaveLength(4);
    const again = (await readTopic(email, topic)).json();
    expect(again.messages).toHaveLength(4);
    expect((await readTopic(email, topic)).json()).toMatchObject({ messages: [], lag: 0 });
  });

  it('long-polls every partition: a record written to any of them ends the wait', async () => {
    const { topic, email } = await filledTopic(3, 0);
    const read = readTopic(email, topic, '?wait_ms=20000');
    await waitFor(() => stack.gateway.waiters.stats.channels >= 3, { what: 'the read to wait on every partition' });
    const [written] = await stack.write(topic, [{ key: 'late', value: 'news' }]);
    const body = (await read).json();
    expect(body.messages).toMatchObject([{ partition: written!.partition, offset: 0, key: 'late', value: 'news' }]);
  });

  it('answers 403 NOT_SUBSCRIBED for a consumer not subscribed', async () => {
    const { topic } = await filledTopic(2, 1);
    expect((await readTopic(uniqueEmail(), topic)).json()).toMatchObject({ statusCode: 403, code: 'NOT_SUBSCRIBED' });
  });
});
