// The Kafka listener with real clients: kafkajs (npm) and kcat (librdkafka), against a broker with
// KAFKA_PORT on a free port. One log: records written over Kafka are read over HTTP and the other way
// round, at the same partitions and offsets.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createBroker, type Broker } from '@tributary/broker';
import { partitionFor } from '@tributary/core';
import { decodeResponse, encodeRecordBatch, encodeRequest, KafkaError, Produce, type Message } from '@tributary/kafka';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

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
    // gzip: librdkafka compresses a batch when it gets smaller (so a longer value).
    const long = 'z'.repeat(300);
    await kcat(['-P', '-t', topic, '-K', ':', '-z', 'gzip'], `gamma:"${long}"\n`);
    expect((await browse(topic, partitionFor('gamma', 4))).filter((m) => m.key === 'gamma').map((m) => m.value)).toEqual([long]);

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

/** One request over a raw connection, answered by the listener: for what clients do not let a test do on purpose. */
async function rawRequest<Req, Res>(message: Message<Req, Res>, version: number, body: Req): Promise<Res> {
  const socket: Socket = connect(Number(bootstrap.split(':')[1]), '127.0.0.1');
  try {
    socket.write(encodeRequest(message, { apiVersion: version, correlationId: 1, clientId: 'raw' }, body));
    let received = Buffer.alloc(0);
    for await (const chunk of socket) {
      received = Buffer.concat([received, chunk as Buffer]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) break;
    }
    return decodeResponse(message, version, received.subarray(4, 4 + received.readInt32BE(0))).body;
  } finally {
    socket.destroy();
  }
}

describe('idempotent producers', () => {
  it('kafkajs with idempotent: true stores each record once', async () => {
    const topic = await createTopic(2);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < 3; i++) await producer.send({ topic, messages: [{ key: 'same', value: String(i) }] });
    } finally {
      await producer.disconnect();
    }
    expect((await browse(topic, partitionFor('same', 2))).map((m) => m.value)).toEqual([0, 1, 2]);
  });

  it('a batch sent again with the same producer id and sequence is stored once and answered with its first offsets', async () => {
    const topic = await createTopic(1);
    await http('POST', `/write/${topic}`, { key: 'before', value: 0 });
    const records = [0, 1, 2].map((i) => ({ offsetDelta: i, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from(String(i)), headers: [] }));
    const batch = encodeRecordBatch({ baseOffset: 0, baseTimestamp: Date.now(), records, producerId: 987_654, producerEpoch: 0, baseSequence: 0 });
    const send = () =>
      rawRequest(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
    const first = (await send()).responses[0]!.partitionResponses[0]!;
    const again = (await send()).responses[0]!.partitionResponses[0]!;
    expect(first).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(again).toMatchObject({ errorCode: 0, baseOffset: 1, logAppendTimeMs: first.logAppendTimeMs });
    expect((await browse(topic, 0)).map((m) => m.value)).toEqual([0, 0, 1, 2]);
  });
});

describe('sequence checks', () => {
  it('a batch that leaves a gap in its producer\'s sequence is refused and nothing is stored', async () => {
    const topic = await createTopic(1);
    const producerId = 555_000 + Math.floor(Math.random() * 1000);
    const send = async (baseSequence: number, values: number[]) => {
      const records = values.map((v, i) => ({ offsetDelta: i, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from(String(v)), headers: [] }));
      const batch = encodeRecordBatch({ baseOffset: 0, baseTimestamp: Date.now(), records, producerId, producerEpoch: 0, baseSequence });
      const answer = await rawRequest(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
      return answer.responses[0]!.partitionResponses[0]!;
    };
    expect(await send(0, [1, 2])).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await send(3, [9])).toMatchObject({ errorCode: KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 });
    expect(await send(2, [3])).toMatchObject({ errorCode: 0, baseOffset: 2 });
    // A retry of an earlier batch is answered where its first copy went.
    expect(await send(0, [1, 2])).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect((await browse(topic, 0)).map((m) => m.value)).toEqual([1, 2, 3]);
  });
});

describe('kafkajs consumer groups', () => {
  it('one member consumes what HTTP wrote; a second member joins, the partitions are shared, nothing is missed, and the group is deleted after', async () => {
    const topic = await createTopic(4);
    const groupId = uniqueName('kgroup');
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    for (const key of keys) await http('POST', `/write/${topic}`, { key, value: { key, round: 1 } });

    const received: Array<{ member: string; partition: number; offset: string; key: string }> = [];
    const assignments = new Map<string, number[]>();
    const member = async (name: string): Promise<Consumer> => {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200, retry: { retries: 5 } });
      consumer.on(consumer.events.GROUP_JOIN, (event) => assignments.set(name, event.payload.memberAssignment[topic] ?? []));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({ member: name, partition, offset: message.offset, key: message.key!.toString() });
        },
      });
      return consumer;
    };

    const first = await member('a');
    try {
      await waitFor(() => received.length >= keys.length, { timeoutMs: 20_000, what: 'the first member to read every record' });
      expect(assignments.get('a')?.sort()).toEqual([0, 1, 2, 3]);
      const second = await member('b');
      try {
        await waitFor(() => (assignments.get('b')?.length ?? 0) > 0 && (assignments.get('a')?.length ?? 0) < 4, {
          timeoutMs: 20_000,
          what: 'the rebalance sharing the partitions',
        });
        expect([...assignments.get('a')!, ...assignments.get('b')!].sort()).toEqual([0, 1, 2, 3]);
        for (const key of keys) await http('POST', `/write/${topic}`, { key, value: { key, round: 2 } });
        // At least once: a record may come twice around a rebalance, so count distinct ones.
        const distinct = () => new Set(received.map((r) => `${r.partition}:${r.offset}`)).size;
        await waitFor(() => distinct() >= 2 * keys.length, { timeoutMs: 20_000, what: 'every record of round 2' });
        // Each record reached the member holding its partition; no offset of a partition was skipped.
        const roundTwo = received.filter((r) => Number(r.offset) >= keys.filter((k) => partitionFor(k, 4) === r.partition).length);
        for (const { member: who, partition } of roundTwo) expect(assignments.get(who)).toContain(partition);
        for (let p = 0; p < 4; p++) {
          const offsets = received.filter((r) => r.partition === p).map((r) => Number(r.offset));
          expect(new Set(offsets)).toEqual(new Set(Array.from({ length: Math.max(...offsets, -1) + 1 }, (_, i) => i)));
        }
        expect(distinct()).toBe(2 * keys.length);
      } finally {
        await second.disconnect();
      }
    } finally {
      await first.disconnect();
    }
    // Commits went to the group: a new member of it starts after what was read.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(total).toBe(2 * keys.length);
      // Without members the group can be deleted, its offsets with it.
      expect(await admin.deleteGroups([groupId])).toEqual([expect.objectContaining({ groupId, errorCode: 0 })]);
      const after = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(after[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1', '-1']);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('kcat consumer groups', () => {
  it('-G consumes a topic as a group member and commits, so the group resumes after it', async () => {
    const topic = await createTopic(2);
    for (let i = 0; i < 6; i++) await http('POST', `/write/${topic}`, { key: `k${i}`, value: i });
    const group = uniqueName('kcat-group');
    const read = async (count: number) =>
      // No -o: in -G mode kcat would start every assigned partition there, ignoring the group's commits.
      (await kcat(['-G', group, topic, '-c', String(count), '-J', '-X', 'auto.offset.reset=earliest']))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
    const firstRun = await read(6);
    expect(firstRun.map((m) => m.payload).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    for (let i = 6; i < 8; i++) await http('POST', `/write/${topic}`, { key: `k${i}`, value: i });
    const secondRun = await read(2);
    expect(secondRun.map((m) => m.payload).sort()).toEqual(['6', '7']);
  });
});
