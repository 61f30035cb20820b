// Kafka listener vs HTTP, in the same run: the same records produced and consumed through kafkajs against
// the broker's Kafka listener, and through the HTTP API (POST /write to the broker, whole-topic reads from
// the gateway). A figure, not a test: nothing here asserts a timing.
//
//   node bench/dist/kafka-vs-http.js [--records N] [--batch N] [--value-bytes N] [--out DIR]
//
// The stack is the local stack of npm start (broker and gateway as child processes, their own Redis and
// ZooKeeper in a temporary directory); the load generator is this process. Both paths write in batches of
// the same size, one request in flight, and read until every record has arrived.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, runLocalStack } from '@tributary/local-stack';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '500' },
    'value-bytes': { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const RECORDS = Number(values.records);
const BATCH = Number(values.batch);
const PARTITIONS = 8;
const filler = 'x'.repeat(Math.max(Number(values['value-bytes']) - 30, 0));
const record = (i: number) => ({ key: `key-${i % 1000}`, value: { i, filler } });

interface Figure {
  path: string;
  step: string;
  seconds: number;
  recordsPerSec: number;
}

const say = (line: string) => process.stderr.write(`[kafka-vs-http] ${line}\n`);

async function post(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function timed(path: string, step: string, run: () => Promise<void>): Promise<Figure> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const figure = { path, step, seconds, recordsPerSec: Math.round(RECORDS / seconds) };
  say(`${path} ${step}: ${RECORDS} records in ${seconds.toFixed(2)} s, ${figure.recordsPerSec} records/s`);
  return figure;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kafka-bench-'));
  const [brokerPort, gatewayPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const stack = await runLocalStack({
    dataDir: dir,
    env: { ...process.env, BROKER_PORT: String(brokerPort), GATEWAY_PORT: String(gatewayPort), REDIS_PORT: String(redisPort), KAFKA_PORT: '0', LOG_LEVEL: 'warn' },
    say,
    serviceOutput: process.stderr,
  });
  const figures: Figure[] = [];
  try {
    const kafka = new Kafka({ clientId: 'bench', brokers: [stack.kafkaBootstrap!], logLevel: logLevel.NOTHING });
    const batches = Array.from({ length: Math.ceil(RECORDS / BATCH) }, (_, b) =>
      Array.from({ length: Math.min(BATCH, RECORDS - b * BATCH) }, (_, j) => record(b * BATCH + j)),
    );

    // Produce.
    const kafkaTopic = `bench-kafka-${Date.now()}`;
    const httpTopic = `bench-http-${Date.now()}`;
    for (const topic of [kafkaTopic, httpTopic]) await post(`${stack.brokerUrl}/create_topic/${topic}/${PARTITIONS}`);
    const producer = kafka.producer();
    await producer.connect();
    figures.push(
      await timed('kafka (kafkajs)', 'produce', async () => {
        for (const batch of batches) {
          await producer.send({ topic: kafkaTopic, acks: -1, messages: batch.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })) });
        }
      }),
    );
    await producer.disconnect();
    figures.push(
      await timed('http', 'produce', async () => {
        for (const batch of batches) await post(`${stack.brokerUrl}/write/${httpTopic}`, { records: batch });
      }),
    );

    // Consume: every record of the topic, from the start.
    const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: kafkaTopic, fromBeginning: true });
    figures.push(
      await timed('kafka (kafkajs)', 'consume', async () => {
        let received = 0;
        await new Promise<void>((done, fail) => {
          consumer
            .run({
              eachBatch: async ({ batch }) => {
                received += batch.messages.length;
                if (received >= RECORDS) done();
              },
            })
            .catch(fail);
        });
      }),
    );
    await consumer.disconnect();
    const email = `bench-${Date.now()}@example.com`;
    await post(`${stack.gatewayUrl}/subscribe/${email}/${httpTopic}`);
    figures.push(
      await timed('http', 'consume', async () => {
        let received = 0;
        while (received < RECORDS) {
          const response = await fetch(`${stack.gatewayUrl}/read/${email}/${httpTopic}?max=${BATCH}`);
          if (!response.ok) throw new Error(`read: ${response.status} ${await response.text()}`);
          received += ((await response.json()) as { messages: unknown[] }).messages.length;
        }
      }),
    );
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const lines = [
    `# Kafka listener vs HTTP — ${new Date().toISOString().slice(0, 10)}, ${hostname()}`,
    '',
    `${RECORDS} records of about ${Number(values['value-bytes'])} bytes (JSON values, ${PARTITIONS} partitions, keys key-0..999), in batches of ${BATCH}, one request in flight; kafkajs 2.2.4 with acks=all against the broker's Kafka listener, and POST /write to the broker and whole-topic reads (GET /read/:email/:topic) from the gateway over HTTP. Services are child processes of the local stack; the load generator is one Node process.`,
    '',
    '| path | step | seconds | records/s |',
    '|---|---|---:|---:|',
    ...figures.map((f) => `| ${f.path} | ${f.step} | ${f.seconds.toFixed(2)} | ${f.recordsPerSec.toLocaleString('en-US')} |`),
    '',
  ];
  const out = resolve(values.out!);
  mkdirSync(out, { recursive: true });
  const file = join(out, `kafka-vs-http-${new Date().toISOString().slice(0, 10)}.md`);
  writeFileSync(file, lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\nwritten to ${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`kafka-vs-http failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
