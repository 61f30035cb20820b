// The faults, one per scenario. Each injects its fault into a running stack under load and undoes it,
// resolving once the faulted part runs again; the runner then waits for every service to be ready.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from 'ioredis';
import { partitionKeys } from '@tributary/core';
import type { ServerNode } from '@tributary/local-stack';
import type { TopicLayout } from './log-readback.js';
import type { FaultStack, Restartable } from './stack.js';
import type { Timeline } from './timeline.js';

export interface FaultContext {
  stack: FaultStack;
  topic: TopicLayout;
  timeline: Timeline;
  /** How long a crashed part stays down before it is started again, ms. */
  downMs: number;
  /** Something the fault revealed that the counts do not show (e.g. a service slow to stop). */
  observe(line: string): void;
}

export interface Scenario {
  name: string;
  title: string;
  redis: 'single' | 'cluster';
  /** Service settings for this scenario only. */
  serviceEnv?: Record<string, string>;
  inject(context: FaultContext): Promise<void>;
}

const REDIS_PAUSE_MS = 5_000;
const SHORT_SESSION_MS = 4_000;
/** How long a broker may take to stop after SIGTERM before the rolling restart kills it. */
const TERM_GRACE_MS = 15_000;

export const scenarios: readonly Scenario[] = [
  {
    name: 'broker-kill',
    title: 'kill -9 of a broker, restarted after a pause',
    redis: 'single',
    inject: (context) => crashAndRestart(context.stack.brokers[0]!, context, 'broker-1 ready'),
  },
  {
    name: 'redis-kill',
    title: 'kill -9 of Redis, restarted from its append-only file',
    redis: 'single',
    inject: (context) => crashAndRestart(singleRedis(context.stack), context, 'redis answers PING: its AOF is loaded'),
  },
  {
    name: 'zookeeper-kill',
    title: 'kill -9 of ZooKeeper, restarted',
    redis: 'single',
    inject: (context) => crashAndRestart(context.stack.zookeeper, context, 'zookeeper answers ruok'),
  },
  {
    name: 'redis-pause',
    title: `SIGSTOP of Redis for ${REDIS_PAUSE_MS / 1000} s, then SIGCONT`,
    redis: 'single',
    inject: (context) => freeze(singleRedis(context.stack), REDIS_PAUSE_MS, context),
  },
  {
    name: 'zookeeper-pause',
    title: `SIGSTOP of ZooKeeper for twice the session timeout (ZOOKEEPER_SESSION_TIMEOUT_MS=${SHORT_SESSION_MS})`,
    redis: 'single',
    serviceEnv: { ZOOKEEPER_SESSION_TIMEOUT_MS: String(SHORT_SESSION_MS) },
    inject: (context) => freeze(context.stack.zookeeper, 2 * SHORT_SESSION_MS, context),
  },
  {
    name: 'gateway-kill',
    title: 'kill -9 of the gateway, restarted; consumers carry on',
    redis: 'single',
    inject: (context) => crashAndRestart(context.stack.gateway, context, 'gateway ready'),
  },
  {
    name: 'rolling-restart',
    title: 'rolling restart of the brokers: SIGTERM one, start it again, then the next',
    redis: 'single',
    async inject({ stack, timeline, observe }) {
      for (const broker of stack.brokers) {
        timeline.event(`SIGTERM ${broker.name} (pid ${broker.pid})`);
        const started = timeline.now();
        if (await broker.terminate(TERM_GRACE_MS)) {
          timeline.event(`${broker.name} exited after ${Math.round(timeline.now() - started)} ms`);
        } else {
          observe(`${broker.name} still ran ${TERM_GRACE_MS} ms after SIGTERM and was killed`);
          await broker.crash();
        }
        timeline.event(`start ${broker.name}`);
        await broker.restart();
        timeline.event(`${broker.name} ready`);
      }
    },
  },
  {
    name: 'cluster-failover',
    title: 'Redis Cluster (3 masters, 1 replica each): kill -9 of the master holding most partitions; its replica takes over',
    redis: 'cluster',
    async inject({ stack, topic, timeline }) {
      if (stack.redis.kind !== 'cluster') throw new Error('cluster-failover needs a Redis Cluster');
      const cluster = stack.redis.cluster;
      const { node: victim, partitions } = await busiestMaster(stack, topic);
      timeline.event(`kill -9 master ${victim.host}:${victim.port} (pid ${victim.process.pid}), holding partitions ${partitions.join(', ')}`);
      victim.kill('SIGKILL');
      await cluster.waitUntilHealthy(30_000);
      timeline.event('replica promoted: every slot served');
      await victim.restart();
      await cluster.waitUntilHealthy(30_000);
      timeline.event(`old master ${victim.host}:${victim.port} back, as a replica`);
    },
  },
];

/** kill -9, down for a while, then started again on the same port and data. */
async function crashAndRestart(part: Restartable, { timeline, downMs }: FaultContext, back: string): Promise<void> {
  timeline.event(`kill -9 ${part.name} (pid ${part.pid})`);
  await part.crash();
  await sleep(downMs);
  timeline.event(`start ${part.name}`);
  await part.restart();
  timeline.event(back);
}

/** SIGSTOP for `ms`, then SIGCONT: the process keeps its sockets open and answers nothing meanwhile. */
async function freeze(part: Restartable, ms: number, { timeline }: FaultContext): Promise<void> {
  timeline.event(`SIGSTOP ${part.name} (pid ${part.pid})`);
  part.signal('SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    timeline.event(`SIGCONT ${part.name}`);
    part.signal('SIGCONT');
  }
}

function singleRedis(stack: FaultStack): Restartable {
  if (stack.redis.kind !== 'single') throw new Error('this scenario needs a single Redis');
  return stack.redis.server;
}

/** The master that serves the most of the topic's partitions, and which ones. */
async function busiestMaster(stack: FaultStack, topic: TopicLayout): Promise<{ node: ServerNode; partitions: number[] }> {
  if (stack.redis.kind !== 'cluster') throw new Error('not a Redis Cluster');
  const masters = await stack.redis.cluster.masters();
  const client = (await stack.inspect()) as Cluster;
  try {
    const ranges = await client.cluster('SLOTS');
    const owned = new Map<ServerNode, number[]>();
    for (let partition = 0; partition < topic.partitions; partition++) {
      const slot = Number(await client.cluster('KEYSLOT', partitionKeys({ topicId: topic.id, partition }).state));
      const range = ranges.find(([first, last]) => slot >= first && slot <= last);
      const node = masters.find((m) => range && m.port === Number(range[2]?.[1]));
      if (node) owned.set(node, [...(owned.get(node) ?? []), partition]);
    }
    const [node, partitions] = [...owned].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
    if (!node || !partitions) throw new Error('no master serves the topic');
    return { node, partitions };
  } finally {
    client.disconnect();
  }
}
