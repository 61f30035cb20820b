// Helpers for integration tests: configuration pointing at the run's throwaway Redis (the single server or
// the cluster, by the project's redisMode) and ZooKeeper (started in global-setup.ts), unique names, and
// polling instead of fixed sleeps.
import { inject } from 'vitest';
import { loadConfig, type Config } from '@tributary/core';
import { uniqueName } from './names.js';
import { redisSettings } from './redis.js';

export { launchChromium, type HeadlessBrowser } from './browser.js';
export { uniqueEmail, uniqueName } from './names.js';
export {
  inspectRedis,
  monitorRedis,
  redisClusterSettings,
  redisMode,
  type MonitoredCommand,
  type RedisMonitor,
} from './redis.js';
export { waitFor } from './wait-for.js';

/**
 * Config for a service under test. Each call gets its own ZooKeeper root unless one is given, so services
 * that should see each other (two brokers, a broker and a gateway) must share `zookeeperRoot`.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {},
    {
      ...redisSettings(),
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
