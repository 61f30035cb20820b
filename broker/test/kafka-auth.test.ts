// AUTH=on on the Kafka listener: SASL/PLAIN with Tributary's API keys (the key as the password) and the same
// ACLs as over HTTP, with kafkajs and kcat.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { createBroker, type Broker } from '@tributary/broker';
import type { Operation } from '@tributary/core';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';
import { makeTestCertificate } from '../../cli/test/tls-cert.js';

const run = promisify(execFile);
const ADMIN_KEY = `admin-secret-${uniqueName('k')}`;
let broker: Broker;
let bootstrap: string;

beforeAll(async () => {
  broker = await createBroker(testConfig({ auth: true, adminKey: ADMIN_KEY, kafkaPort: 0, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 }));
  await broker.listen();
  bootstrap = `127.0.0.1:${broker.kafka!.listener.address!.port}`;
});
afterAll(async () => {
  await broker?.close();
});

const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  broker.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_KEY}` }, ...(payload ? { payload } : {}) });

async function principalWith(grants: Array<[Operation, string]>): Promise<{ principal: string; key: string }> {
  const principal = uniqueName('p');
  const created = await admin('POST', '/keys', { principal });
  expect(created.statusCode, created.body).toBe(201);
  for (const [operation, resource] of grants) {
    expect((await admin('PUT', `/acls/${principal}/${operation}/${encodeURIComponent(resource)}`)).statusCode).toBe(201);
  }
  const { key } = created.json() as { key: string };
  // The broker's caches learn of keys and ACLs from ZooKeeper watches.
  await waitFor(async () => (await broker.app.inject({ method: 'GET', url: '/no-such-route', headers: { authorization: `Bearer ${key}` } })).statusCode === 404);
  return { principal, key };
}

const client = (sasl: SASLOptions | undefined) =>
  new Kafka({ clientId: 'auth-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...(sasl ? { sasl } : {}) });

describe('the Kafka listener with AUTH=on', () => {
  it('lets a key produce and consume where its ACLs allow, and nowhere else', async () => {
    const prefix = uniqueName('team');
    const allowed = `${prefix}.orders`;
    const other = uniqueName('billing');
    for (const topic of [allowed, other]) expect((await admin('POST', `/create_topic/${topic}/1`)).statusCode).toBe(201);
    const group = `${prefix}.readers`;
    const { principal, key } = await principalWith([
      ['produce', `topic:${prefix}.*`],
      ['consume', `topic:${prefix}.*`],
      ['consume', `group:${prefix}.*`],
    ]);
    const kafka = client({ mechanism: 'plain', username: principal, password: key });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: allowed, messages: [{ key: 'k', value: '"hello"' }] });
      await expect(producer.send({ topic: other, messages: [{ key: 'k', value: '1' }] })).rejects.toMatchObject({ cause: { type: 'TOPIC_AUTHORIZATION_FAILED' } });
    } finally {
      await producer.disconnect();
    }

    const consumer = kafka.consumer({ groupId: group, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    await consumer.connect();
    const received: string[] = [];
    try {
      await consumer.subscribe({ topic: allowed, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value!.toString()) });
      await waitFor(() => received.length >= 1, { timeoutMs: 20_000, what: 'the record' });
      expect(received).toEqual(['"hello"']);
    } finally {
      await consumer.disconnect();
    }

    // kcat with the same key sees only the topics it may describe.
    const metadata = JSON.parse(
      (await run('kcat', ['-b', bootstrap, '-L', '-J', '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${principal}`, '-X', `sasl.password=${key}`], { timeout: 20_000 })).stdout,
    );
    const names = (metadata.topics as Array<{ topic: string }>).map((t) => t.topic);
    expect(names).toContain(allowed);
    expect(names).not.toContain(other);
  });

  it('refuses a wrong key, and a client that does not authenticate', async () => {
    const { principal } = await principalWith([]);
    await expect(client({ mechanism: 'plain', username: principal, password: 'trib_0000000000000000_wrong' }).producer().connect()).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
    });
    const anonymous = client(undefined).admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toBeDefined();
    await anonymous.disconnect();
  });

  it('needs admin on a topic to create it', async () => {
    const { principal, key } = await principalWith([['produce', 'topic:*']]);
    const kafkaAdmin = client({ mechanism: 'plain', username: principal, password: key }).admin();
    await kafkaAdmin.connect();
    const topic = uniqueName('nope');
    try {
      await expect(kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).rejects.toBeDefined();
      expect((await admin('GET', `/topics/${topic}`)).statusCode).toBe(404);
    } finally {
      await kafkaAdmin.disconnect();
    }
  });
});

describe('the Kafka listener with TLS', () => {
  it('speaks TLS with the services\' certificate: kafkajs and kcat over SASL_SSL', async () => {
    const certificate = makeTestCertificate();
    const tlsBroker = await createBroker(
      testConfig({ auth: true, adminKey: ADMIN_KEY, kafkaPort: 0, tlsCertFile: certificate.certFile, tlsKeyFile: certificate.keyFile, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 }),
    );
    try {
      await tlsBroker.listen();
      const address = `127.0.0.1:${tlsBroker.kafka!.listener.address!.port}`;
      const topic = uniqueName('tls');
      const kafka = new Kafka({
        clientId: 'tls-test',
        brokers: [address],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        ssl: { ca: [readFileSync(certificate.certFile)] },
        sasl: { mechanism: 'plain', username: 'admin', password: ADMIN_KEY },
      });
      const kafkaAdmin = kafka.admin();
      await kafkaAdmin.connect();
      try {
        expect(await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).toBe(true);
      } finally {
        await kafkaAdmin.disconnect();
      }
      const tls = ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${certificate.certFile}`, '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=admin', '-X', `sasl.password=${ADMIN_KEY}`];
      const metadata = JSON.parse((await run('kcat', ['-b', address, '-L', '-J', '-t', topic, ...tls], { timeout: 20_000 })).stdout);
      expect(metadata.topics.map((t: { topic: string }) => t.topic)).toEqual([topic]);
    } finally {
      await tlsBroker.close();
      certificate.remove();
    }
  });
});
