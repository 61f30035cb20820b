// The project's Redis: the run's single redis-server or its Redis Cluster, by the `redisMode` the vitest
// project provides. Services reach it through testConfig(); tests look into it with inspectRedis() and
// count what an action costs with monitorRedis().
import type { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import type { Config, RedisClient } from '@tributary/core';
import type { RedisMode } from './global-setup.js';
import { uniqueName } from './names.js';
import { waitFor } from './wait-for.js';

/**
 * 'single' (one redis-server) or 'cluster' (a Redis Cluster; the services use ioredis' Cluster client). A
 * test that only makes sense on one of them skips on the other and says why.
 */
export const redisMode: RedisMode = inject('redisMode') ?? 'single';

type RedisSettings = Pick<Config, 'redisHost' | 'redisPort' | 'redisClusterNodes'>;

/** The Redis part of testConfig(). */
export function redisSettings(): RedisSettings {
  if (redisMode === 'single') return { redisHost: '127.0.0.1', redisPort: inject('redisPort'), redisClusterNodes: undefined };
  return redisClusterSettings(inject('redisClusterNodes'));
}

/**
 * Config overrides for a Redis Cluster of a test's own, from its seeds ("host:port,..." or a list). Host and
 * port name a cluster node too: a service that ignored redisClusterNodes fails on MOVED replies instead of
 * passing quietly against some other Redis.
 */
export function redisClusterSettings(seeds: string | readonly string[]): RedisSettings {
  const nodes = typeof seeds === 'string' ? seeds.split(',') : [...seeds];
  const [host, port] = nodes[0]!.split(':') as [string, string];
  return { redisHost: host, redisPort: Number(port), redisClusterNodes: nodes };
}

/**
 * A plain connection for looking at what the services stored: a `Cluster` client in cluster mode, which
 * sends each key's command to the node that holds the key.
 */
export async function inspectRedis(): Promise<RedisClient> {
  const { Cluster, Redis } = await import('ioredis');
  const redis =
    redisMode === 'cluster'
      ? new Cluster(inject('redisClusterNodes'), { lazyConnect: true })
      : new Redis({ port: inject('redisPort'), lazyConnect: true });
  await redis.connect();
  return redis;
}

export interface MonitoredCommand {
  /** The command and its arguments, as Redis ran it. */
  args: string[];
  /** 'lua' for a command a script ran, else the client's address. */
  source: string;
}

export interface RedisMonitor {
  /**
   * Runs `action` and resolves with its result and the commands Redis ran meanwhile, other test files'
   * included, in the order they ran: in cluster mode every master's, merged by the time each master gives
   * them (the masters share this machine's clock).
   */
  around<T>(action: () => Promise<T>): Promise<{ result: T; commands: MonitoredCommand[] }>;
  close(): void;
}

interface WatchedNode {
  client: Redis;
  monitor?: Redis;
  seen: Array<MonitoredCommand & { micros: number }>;
}

/**
 * MONITOR on the project's Redis. A Redis Cluster has no single command stream: each master is watched on
 * its own connection, and an action's commands are those each master ran between two markers (an ECHO
 * sent to that master) before and after it, merged by their times.
 */
export async function monitorRedis(): Promise<RedisMonitor> {
  const { Redis } = await import('ioredis');
  const nodes: WatchedNode[] = [];
  const close = () => {
    for (const { client, monitor } of nodes) {
      monitor?.disconnect();
      client.disconnect();
    }
  };
  try {
    for (const { host, port } of await masterAddresses()) {
      const node: WatchedNode = { client: new Redis({ host, port, lazyConnect: true }), seen: [] };
      nodes.push(node);
      await node.client.connect();
      node.monitor = await node.client.monitor();
      // The time is "<seconds>.<microseconds>": as one number of microseconds it is exact.
      node.monitor.on('monitor', (time: string, args: string[], source: string) => {
        const [seconds = '0', micros = '0'] = time.split('.');
        node.seen.push({ args, source, micros: Number(seconds) * 1_000_000 + Number(micros) });
      });
    }
  } catch (err) {
    close();
    throw err;
  }

  /** The index in `seen` of a fresh marker: everything the node ran before it is there. */
  const mark = async ({ client, seen }: WatchedNode) => {
    const marker = uniqueName('marker');
    await client.echo(marker);
    return waitFor(
      () => {
        const index = seen.findIndex(({ args }) => args[0]?.toLowerCase() === 'echo' && args[1] === marker);
        return index >= 0 ? index : undefined;
      },
      { what: 'the MONITOR marker' },
    );
  };

  return {
    async around(action) {
      const starts = await Promise.all(nodes.map(mark));
      const result = await action();
      const ends = await Promise.all(nodes.map(mark));
      const commands = mergeByTime(nodes.map(({ seen }, i) => seen.slice(starts[i]! + 1, ends[i])));
      return { result, commands: commands.map(({ args, source }) => ({ args, source })) };
    },
    close,
  };
}

/** One list from several in time order, never reordering a list's own entries (a master's own order). */
function mergeByTime<T extends { micros: number }>(lists: T[][]): T[] {
  const merged: T[] = [];
  const next = lists.map(() => 0);
  for (;;) {
    let from = -1;
    lists.forEach((list, i) => {
      if (next[i]! < list.length && (from < 0 || list[next[i]!]!.micros < lists[from]![next[from]!]!.micros)) from = i;
    });
    if (from < 0) return merged;
    merged.push(lists[from]![next[from]!++]!);
  }
}

async function masterAddresses(): Promise<Array<{ host: string; port: number }>> {
  if (redisMode === 'single') return [{ host: '127.0.0.1', port: inject('redisPort') }];
  const cluster = (await inspectRedis()) as Cluster;
  try {
    return cluster
      .nodes('master')
      .map(({ options }) => ({ host: options.host ?? '127.0.0.1', port: options.port ?? 6379 }))
      .sort((a, b) => a.port - b.port);
  } finally {
    cluster.disconnect();
  }
}
