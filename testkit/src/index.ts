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
