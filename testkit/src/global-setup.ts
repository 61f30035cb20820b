// One throwaway redis-server and ZooKeeper for the whole test run, on free loopback ports. Test files stay
// apart by using their own ZooKeeper root and random topic names and emails (see fixtures.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedis, startZooKeeper } from '@tributary/local-stack';

declare module 'vitest' {
  export interface ProvidedContext {
    redisPort: number;
    zookeeperHost: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-test-'));
  const [redis, zookeeper] = await Promise.all([
    startRedis({ dir: join(dir, 'redis'), persistent: false }),
    startZooKeeper({ dir: join(dir, 'zookeeper') }),
  ]);
  project.provide('redisPort', redis.port);
  project.provide('zookeeperHost', `${zookeeper.host}:${zookeeper.port}`);

  return async () => {
    await Promise.all([redis.stop(), zookeeper.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
