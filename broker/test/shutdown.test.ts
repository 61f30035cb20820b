// Graceful shutdown of the real processes (node broker/dist/server.js, consumer-gateway/dist/server.js) on
// SIGTERM: requests in flight finish, waiting long polls answer with what they have, the ZooKeeper
// registration goes at once (not after the session timeout), and the process exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { partitionKeys, type Config } from '@tributary/core';
import { inspectRedis, testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';

const config = testConfig({ zookeeperSessionTimeoutMs: 60_000 });
let observer: Broker;
const children: ChildProcess[] = [];

beforeAll(async () => {
  observer = await createBroker({ ...config, instanceId: 'observer' });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await observer?.close();
});

/** Starts a service process on a free port with the test's Redis and ZooKeeper; resolves with its URL. */
async function startProcess(service: 'broker' | 'consumer-gateway', instanceId: string, { redisClusterNodes, redisHost, redisPort, zookeeperHost, zookeeperRoot }: Config) {
  const script = fileURLToPath(new URL(`../../${service}/dist/server.js`, import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env['PATH'],
      ...(redisClusterNodes ? { REDIS_CLUSTER_NODES: redisClusterNodes.join(',') } : { REDIS_HOST: redisHost, REDIS_PORT: String(redisPort) }),
      ZOOKEEPER_HOST: zookeeperHost,
      ZOOKEEPER_ROOT: zookeeperRoot,
      ZOOKEEPER_SESSION_TIMEOUT_MS: '60000',
      BROKER_PORT: '0',
      GATEWAY_PORT: '0',
      LISTEN_HOST: '127.0.0.1',
      ADVERTISED_HOST: '127.0.0.1',
      INSTANCE_ID: instanceId,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg?.endsWith(' listening')) resolve(entry.port!);
    });
    child.once('exit', (code) => reject(new Error(`${service} exited with ${code} before listening`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, lines };
}

const stopped = async (child: ChildProcess) => (child.exitCode !== null ? child.exitCode : ((await once(child, 'exit')) as [number])[0]);

describe('SIGTERM', () => {
  it('a request arriving while the service closes gets the documented 503 body, retriable (regression: Fastify answered without code)', async () => {
    const broker = await createBroker({ ...config, instanceId: uniqueName('closing') });
    const closing = broker.app.close();
    const answer = await broker.app.inject({ method: 'GET', url: '/topics' });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.json()).toEqual({
      statusCode: 503,
      code: 'NOT_READY',
      error: 'Service Unavailable',
      message: 'this instance is shutting down: retry on another one',
      retriable: true,
    });
    await closing;
    await broker.close();
  });

  it('a broker finishes the writes in flight, leaves the registry at once, and exits 0', async () => {
    const topic = uniqueName('shutdown');
    expect((await observer.app.inject({ method: 'POST', url: `/create_topic/${topic}/3` })).statusCode).toBe(201);
    const { child, url, lines } = await startProcess('broker', 'leaving', config);
    await waitFor(async () => (await fetch(`${url}/topics/${topic}`)).status === 200, { what: 'the broker to know the topic' });
    const registered = async () => (await observer.app.inject({ method: 'GET', url: '/cluster' })).json().brokers.some((b: { id: string }) => b.id === 'leaving');
    await waitFor(registered, { what: 'the broker to register' });

    const writes = Array.from({ length: 200 }, (_, i) =>
      fetch(`${url}/write/${topic}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: `k${i}`, value: i }) })
        .then(async (response) => ({ status: response.status, body: (await response.json()) as { partition: number; offset: number; retriable?: boolean } }))
        .catch(() => ({ status: 0, body: undefined })),
    );
    child.kill('SIGTERM');
    const answers = await Promise.all(writes);
    expect(await stopped(child)).toBe(0);
    expect(lines.some((line) => line.includes('"broker stopped"'))).toBe(true);

    // Every write was answered 200 (and is stored), a retriable 503, or refused before it was sent.
    const redis = await inspectRedis();
    try {
      const id = (await observer.app.inject({ method: 'GET', url: `/topics/${topic}` })).json().id;
      for (const { status, body } of answers) {
        expect([0, 200, 503]).toContain(status);
        if (status === 503) expect(body!.retriable).toBe(true);
        if (status === 200) expect(await redis.lindex(partitionKeys({ topicId: id, partition: body!.partition }).segment(0), body!.offset)).not.toBeNull();
      }
    } finally {
      redis.disconnect();
    }
    // The session timeout is a minute: only closing the session removes the node this soon.
    await waitFor(async () => !(await registered()), { what: 'the registration to go', timeoutMs: 15_000 });
  });

  it('a gateway answers a waiting long poll with what it has, and exits 0', async () => {
    const topic = uniqueName('shutdown');
    expect((await observer.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` })).statusCode).toBe(201);
    const { child, url } = await startProcess('consumer-gateway', 'gateway-leaving', config);
    const email = uniqueEmail();
    await waitFor(async () => (await fetch(`${url}/subscribe/${email}/${topic}`, { method: 'POST' })).status === 201, { what: 'the subscription' });

    const poll = fetch(`${url}/read/${email}/${topic}/k?wait_ms=30000`).then(async (response) => ({ status: response.status, body: await response.json() }));
    const redis = await inspectRedis();
    try {
      // The gateway subscribes to the partition's wake-up channel once the poll waits.
      const channel = partitionKeys({ topicId: (await observer.app.inject({ method: 'GET', url: `/topics/${topic}` })).json().id, partition: 0 }).appended;
      await waitFor(async () => Number(((await redis.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1]) === 1, { what: 'the poll to wait' });
    } finally {
      redis.disconnect();
    }
    child.kill('SIGTERM');
    const { status, body } = await poll;
    expect(status).toBe(200);
    expect(body).toMatchObject({ email, topic, messages: [], committed: true });
    expect(await stopped(child)).toBe(0);
  });
});
