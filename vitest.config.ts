import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources; the CLI tests run the built binary.
const resolve = {
  alias: {
    '@tributary/core': src('core'),
    '@tributary/kafka': src('kafka'),
    '@tributary/local-stack': src('local-stack'),
    '@tributary/testkit': fileURLToPath(new URL('./testkit/src/index.ts', import.meta.url)),
    '@tributary/broker': src('broker'),
    '@tributary/consumer-gateway': src('consumer-gateway'),
  },
};
const timeouts = { testTimeout: 30_000, hookTimeout: 60_000 };

// Files that run in the 'single' project only. Most start servers of their own and never touch the project's
// Redis, so running them again in the cluster project would test nothing new; the others look at one Redis
// server's own bookkeeping. Nothing is skipped: each file runs exactly where it means something.
const singleOnly = [
  // Their own single Redis (stopped and restarted for an outage, restarted from its AOF, frozen) and ZooKeeper.
  'consumer-gateway/test/outage.test.ts',
  // Counts cluster-wide totals (GET /stats): only on a Redis where nothing else counts.
  'consumer-gateway/test/stats.test.ts',
  'examples/event-bus/test/event-bus.test.ts',
  'broker/test/redis-restart.test.ts',
  'consumer-gateway/test/readiness.test.ts',
  // Counts the gateway's connections in one server's CLIENT LIST.
  'consumer-gateway/test/many-waiters.test.ts',
  // Their own Redis Cluster (to kill a master, to move slots), and their own ZooKeeper ensemble.
  'broker/test/cluster-failover.test.ts',
  'broker/test/cluster-resharding.test.ts',
  'broker/test/zookeeper-ensemble.test.ts',
  // Its own single Redis, so that every key it finds there afterwards is its own doing.
  'broker/test/fuzz.test.ts',
  // No Redis at all: the web console's pages and relay.
  'broker/test/console.test.ts',
];

// Two projects, one global setup (testkit/src/global-setup.ts, run once by the root config) that starts a
// single Redis, a Redis Cluster and ZooKeeper. "single" runs every test file against the single Redis;
// "cluster" runs the services' tests again with testConfig() and inspectRedis() on the cluster. Reports
// label each test with its project. (Vitest 4 inline projects do not inherit the root config, so each
// spells out what it needs; `extends: true` would also inherit, and rerun, the global setup.)
const projects: TestProjectInlineConfiguration[] = [
  {
    resolve,
    test: {
      name: 'single',
      include: ['*/src/**/*.test.ts', '*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
      provide: { redisMode: 'single' },
      ...timeouts,
    },
  },
  {
    resolve,
    test: {
      name: 'cluster',
      include: ['broker/test/**/*.test.ts', 'consumer-gateway/test/**/*.test.ts'],
      exclude: singleOnly,
      provide: { redisMode: 'cluster' },
      ...timeouts,
    },
  },
];

export default defineConfig({
  resolve,
  test: {
    projects,
    globalSetup: ['testkit/src/global-setup.ts'],
    reporters: ['default', './testkit/src/summary-reporter.ts'],
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
