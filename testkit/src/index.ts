// Helpers for integration tests: configuration pointing at the run's throwaway Redis and ZooKeeper
// (started in global-setup.ts), unique names, and polling instead of fixed sleeps.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { loadConfig, type Config } from '@tributary/core';

/** A name no other test uses: topics, emails and ZooKeeper roots never collide between test files. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function uniqueEmail(): string {
  return `${uniqueName('user')}@example.com`;
}

/**
 * Config for a service under test. Each call gets its own ZooKeeper root unless one is given, so services
 * that should see each other (two brokers, a broker and a gateway) must share `zookeeperRoot`.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {},
    {
      redisHost: '127.0.0.1',
      redisPort: inject('redisPort'),
      zookeeperHost: inject('zookeeperHost'),
      zookeeperRoot: `/${uniqueName('test')}`,
      brokerPort: 0,
      gatewayPort: 0,
      listenHost: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      logLevel: 'silent',
      ...overrides,
    },
  );
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

/** Every node under `root` in the test run's ZooKeeper, with its data as text: to check what is (not) stored there. */
export async function zooKeeperTree(root: string): Promise<Array<{ path: string; data: string }>> {
  const { default: zookeeper } = await import('node-zookeeper-client');
  const client = zookeeper.createClient(inject('zookeeperHost'));
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  client.connect();
  await connected;
  const call = <T>(run: (done: (err: unknown, value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));
  const nodes: Array<{ path: string; data: string }> = [];
  const visit = async (path: string): Promise<void> => {
    const data = await call<Buffer | undefined>((done) => client.getData(path, (err, buffer) => done(err, buffer)));
    nodes.push({ path, data: data?.toString('utf8') ?? '' });
    const children = await call<string[]>((done) => client.getChildren(path, (err, names) => done(err, names)));
    for (const child of children) await visit(`${path}/${child}`);
  };
  try {
    await visit(root);
    return nodes;
  } finally {
    client.close();
  }
}

/** A plain connection to the test run's Redis, for looking at what the services stored. */
export async function inspectRedis(): Promise<import('ioredis').Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis({ port: inject('redisPort'), lazyConnect: true });
  await redis.connect();
  return redis;
}
