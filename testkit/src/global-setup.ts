// One throwaway redis-server, one Redis Cluster (three masters, no replicas) and one ZooKeeper for the whole
// test run, on free loopback ports, started side by side. Each vitest project picks its Redis by the
// `redisMode` it provides (vitest.config.ts); test files stay apart by using their own ZooKeeper root and
// random topic names and emails (see index.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedis, startRedisCluster, startZooKeeper } from '@tributary/local-stack';

export type RedisMode = 'single' | 'cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which Redis the project's tests use: set per project in vitest.config.ts. */
    redisMode: RedisMode;
    redisPort: number;
    /** The cluster's seed nodes, host:port each. */
    redisClusterNodes: string[];
    zookeeperHost: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-test-'));
  const started = await Promise.allSettled([
    startRedis({ dir: join(dir, 'redis'), persistent: false }),
    startRedisCluster({ dir: join(dir, 'redis-cluster'), masters: 3, persistent: false }),
    startZooKeeper({ dir: join(dir, 'zookeeper') }),
  ] as const);
  const stop = async () => {
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    rmSync(dir, { recursive: true, force: true });
  };
  const [redis, cluster, zookeeper] = started;
  if (redis.status === 'rejected' || cluster.status === 'rejected' || zookeeper.status === 'rejected') {
    await stop();
    throw (started.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
  }

  project.provide('redisPort', redis.value.port);
  project.provide('redisClusterNodes', cluster.value.seeds.split(','));
  project.provide('zookeeperHost', `${zookeeper.value.host}:${zookeeper.value.port}`);
  return stop;
}
