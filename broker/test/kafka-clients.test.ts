// The Kafka listener with real clients: kafkajs (npm) and kcat (librdkafka), against a broker with
// KAFKA_PORT on a free port. One log: records written over Kafka are read over HTTP and the other way
// round, at the same partitions and offsets.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createBroker, type Broker } from '@tributary/broker';
import { partitionFor } from '@tributary/core';
import { testConfig, uniqueName } from '@tributary/testkit';

const run = promisify(execFile);

let broker: Broker;
let kafka: Kafka;
let bootstrap: string;

beforeAll(async () => {
  broker = await createBroker(testConfig({ kafkaPort: 0 }));
  await broker.listen();
  bootstrap = `127.0.0.1:${broker.kafka!.listener.address!.port}`;
  kafka = new Kafka({ clientId: 'tributary-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
});
afterAll(async () => {
  await broker?.close();
});

const http = (method: 'GET' | 'POST', url: string, payload?: object) => broker.app.inject({ method, url, ...(payload ? { payload } : {}) });

async function createTopic(partitions: number): Promise<string> {
  const topic = uniqueName('kafka');
  expect((await http('POST', `/create_topic/${topic}/${partitions}`)).statusCode).toBe(201);
  return topic;
}

async function browse(topic: string, partition: number): Promise<Array<{ offset: number; key: string | null; value: unknown; headers: Record<string, string> }>> {
  const response = await http('GET', `/topics/${topic}/partitions/${partition}/records?max=1000`);
  expect(response.statusCode).toBe(200);
  return response.json().messages;
}

/** kcat with the test broker; librdkafka's murmur2 partitioner is Kafka's default (its own default is CRC32). */
async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-b', bootstrap, '-X', 'partitioner=murmur2_random', ...args], { timeout: 20_000 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return (await child).stdout;
}

describe('kafkajs', () => {
  let producer: Producer;
  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it('produces to the partition the key picks, with headers, at the offsets an HTTP reader sees', async () => {
    const topic = await createTopic(3);
    const answer = await producer.send({
      topic,
      messages: [
        { key: 'user-1', value: '{"n":1}', headers: { trace: 't-1' } },
        { key: 'user-2', value: 'plain text' },
        { key: 'user-1', value: Buffer.from([0, 1, 2, 255]) },
      ],
    });
    const p1 = partitionFor('user-1', 3);
    const p2 = partitionFor('user-2', 3);
    expect(answer.map((a) => a.partition).sort()).toEqual([...new Set([p1, p2])].sort());
    const user1 = await browse(topic, p1);
    expect(user1.filter((m) => m.key === 'user-1')).toEqual([
      expect.objectContaining({ key: 'user-1', value: { n: 1 }, headers: { trace: 't-1' } }),
      expect.objectContaining({ key: 'user-1', value: { $base64: Buffer.from([0, 1, 2, 255]).toString('base64') }, headers: {} }),
    ]);
    const user2 = await browse(topic, p2);
    expect(user2.filter((m) => m.key === 'user-2')).toEqual([expect.objectContaining({ value: { $base64: Buffer.from('plain text').toString('base64') } })]);
  });

  it('an admin creates, lists and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = uniqueName('kafka-admin');
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })).toBe(true);
      expect((await http('GET', `/topics/${topic}`)).json().partition_count).toBe(4);
      expect(await admin.listTopics()).toContain(topic);
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(metadata!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0', '0']);
      await admin.deleteTopics({ topics: [topic] });
      expect((await http('GET', `/topics/${topic}`)).statusCode).toBe(404);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('kcat', () => {
  it('-L lists this broker as the leader of every partition', async () => {
    const topic = await createTopic(2);
    const metadata = JSON.parse(await kcat(['-L', '-t', topic, '-J']));
    expect(metadata.brokers).toEqual([{ id: 0, name: bootstrap }]);
    expect(metadata.topics).toEqual([
      expect.objectContaining({ topic, partitions: [expect.objectContaining({ partition: 0, leader: 0 }), expect.objectContaining({ partition: 1, leader: 0 })] }),
    ]);
  });

  it('-P produces keyed records to the partition an HTTP write of the key uses; -C consumes from an offset', async () => {
    const topic = await createTopic(4);
    await kcat(['-P', '-t', topic, '-K', ':'], 'alpha:{"a":1}\nbeta:"two"\nalpha:3\n');
    const alpha = partitionFor('alpha', 4);
    expect((await browse(topic, alpha)).filter((m) => m.key === 'alpha').map((m) => m.value)).toEqual([{ a: 1 }, 3]);

    // Written over HTTP, read with kcat from offset 1 of alpha's partition.
    const written = await http('POST', `/write/${topic}`, { key: 'alpha', value: { b: true }, headers: { h: 'v' } });
    expect(written.json().partition).toBe(alpha);
    const out = await kcat(['-C', '-t', topic, '-p', String(alpha), '-o', '1', '-e', '-J']);
    const consumed = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // The same records at the same offsets as an HTTP reader sees them; values as their JSON text.
    const stored = (await browse(topic, alpha)).filter((m) => m.offset >= 1);
    expect(consumed.map((m) => [m.offset, m.key, m.payload])).toEqual(stored.map((m) => [m.offset, m.key, JSON.stringify(m.value)]));
    expect(consumed.filter((m) => m.key === 'alpha').map((m) => m.payload)).toEqual(['3', '{"b":true}']);
    expect(consumed.at(-1).headers).toEqual(['h', 'v']);
  });
});
