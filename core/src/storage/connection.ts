// Redis connections: one factory for a single Redis or a Redis Cluster, with one retry policy and a deadline
// on every command, so an outage answers 503 quickly instead of hanging. Everything above this file sees one
// type, RedisClient, whichever it is.
import { Cluster, Redis, ReplyError, type ChainableCommander, type ClusterNode } from 'ioredis';
import type { Config } from '../config.js';
import { withDeadline } from '../deadline.js';
import { TributaryError } from '../errors.js';
import { secondsSince, type ServiceMetrics } from '../metrics.js';
import { defineScripts } from './scripts.js';

export type RedisClient = Redis | Cluster;

export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface RedisOptions {
  /** Shown in CLIENT LIST and logs. */
  name: string;
  /**
   * Subscriber connections wait through outages instead of failing fast, and resubscribe on reconnect. In
   * cluster mode they hold one sharded-pub/sub connection per master (SSUBSCRIBE goes to the channel's shard).
   */
  subscriber?: boolean;
}

/** Where Tributary's Redis is, for logs and error messages. */
export function redisAddress(config: Config): string {
  return config.redisClusterNodes ? `cluster ${config.redisClusterNodes.join(',')}` : `${config.redisHost}:${config.redisPort}`;
}

export function createRedis(config: Config, { name, subscriber = false }: RedisOptions): RedisClient {
  const connection = {
    password: config.redisPassword,
    connectionName: `tributary-${name}`,
    connectTimeout: config.redisTimeoutMs,
    commandTimeout: subscriber ? undefined : config.redisTimeoutMs,
    // Fail fast while disconnected rather than queueing requests behind an outage...
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 0,
    // ...and never resend a command whose outcome is unknown: a blind resend of an append could store a
    // batch twice (docs/invariants.md I6). The client decides whether to retry.
    autoResendUnfulfilledCommands: false,
  };
  const retryStrategy = (attempt: number) => Math.min(100 * attempt, 2_000);

  const redis: RedisClient = config.redisClusterNodes
    ? new Cluster(config.redisClusterNodes.map(clusterNode), {
        redisOptions: connection,
        lazyConnect: true,
        enableOfflineQueue: subscriber,
        clusterRetryStrategy: retryStrategy,
        slotsRefreshTimeout: config.redisTimeoutMs,
        // MOVED, ASK, TRYAGAIN and CLUSTERDOWN mean the node did not run the command: following them is safe
        // and is how a client rides out resharding and failover. A closed connection is different: the
        // command may have run, so it is never resent (I6) and the caller gets an unknown outcome.
        retryDelayOnFailover: 0,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        shardedSubscribers: subscriber,
      })
    : new Redis({
        ...connection,
        host: config.redisHost,
        port: config.redisPort,
        db: config.redisDb,
        lazyConnect: true,
        retryStrategy,
      });
  if (!subscriber) defineScripts(redis);
  // Connection errors surface through the state and per-command failures; without a listener ioredis would
  // print each reconnect attempt as an unhandled 'error'.
  redis.on('error', () => {});
  return redis;
}

/**
 * Times every command of `redis` into `metrics`. Every command passes through the client's sendCommand,
 * pipelines' and scripts' included, so this is the one place Redis is observed; redisCall and execPipeline
 * cannot be, since they are handed a promise, not the client (and so not the instance's metrics).
 */
export function observeRedis(redis: RedisClient, metrics: ServiceMetrics): void {
  const send = redis.sendCommand.bind(redis) as (command: ObservedCommand, ...rest: unknown[]) => unknown;
  (redis as unknown as { sendCommand: typeof send }).sendCommand = (command, ...rest) => {
    const start = performance.now();
    const name = command.name;
    command.promise.then(
      () => metrics.observeRedis(name, secondsSince(start), true),
      () => metrics.observeRedis(name, secondsSince(start), false),
    );
    return send(command, ...rest);
  };
}

interface ObservedCommand {
  readonly name: string;
  readonly promise: Promise<unknown>;
}

function clusterNode(hostPort: string): ClusterNode {
  const colon = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) };
}

export function redisState(redis: RedisClient): ConnectionState {
  switch (redis.status) {
    case 'ready':
      return 'ready';
    case 'wait':
    case 'connecting':
    case 'connect':
      return 'connecting';
    case 'reconnecting':
      return 'reconnecting';
    default:
      return 'closed';
  }
}

/** Connects, failing with REDIS_UNAVAILABLE after the configured deadline. */
export async function connectRedis(redis: RedisClient, config: Config): Promise<void> {
  try {
    await withDeadline(redis.connect(), config.redisTimeoutMs * 3);
    // A cluster opens its connection to each master on first use, and without an offline queue it refuses
    // commands for a node still connecting: open them all now, so the first requests do not fail.
    if (redis instanceof Cluster) await withDeadline(Promise.all(redis.nodes('master').map((node) => node.ping())), config.redisTimeoutMs * 3);
  } catch (err) {
    redis.disconnect();
    throw new TributaryError('REDIS_UNAVAILABLE', `cannot connect to Redis at ${redisAddress(config)}`, {}, { cause: err });
  }
}

// Redis answers these when it cannot serve now but may soon: an outage, not a bug.
const TRANSIENT_REPLY = /^(OOM|LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;
const REDIRECTIONS_EXHAUSTED = /^Too many Cluster redirections\. Last error: ReplyError: (MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * Turns a failed Redis call into a TributaryError. A write that failed after it was sent may or may not
 * have been applied: the client must learn that, and decide on a retry (docs/invariants.md I6).
 */
export function redisFailure(err: unknown, { write = false } = {}): TributaryError {
  if (err instanceof TributaryError) return err;
  // The cluster client followed MOVED, ASK and TRYAGAIN replies until it gave up: every attempt was refused,
  // so nothing ran (a slot migrating or failing over between nodes).
  if (err instanceof Error && REDIRECTIONS_EXHAUSTED.test(err.message)) {
    return new TributaryError('REDIS_UNAVAILABLE', 'Redis Cluster is moving this data between nodes; nothing was stored, retry');
  }
  if (err instanceof ReplyError) {
    const reply = (err as Error).message;
    // A refusal means the command did not run, so even a write's outcome is known: nothing happened.
    if (TRANSIENT_REPLY.test(reply)) return new TributaryError('REDIS_UNAVAILABLE', `Redis: ${reply}`);
    return new TributaryError('INTERNAL_ERROR', 'Redis refused a command', {}, { cause: err });
  }
  return new TributaryError(write ? 'WRITE_OUTCOME_UNKNOWN' : 'REDIS_UNAVAILABLE', undefined, {}, { cause: err });
}

/** Awaits a Redis call, turning its failure into a TributaryError (see redisFailure). */
export async function redisCall<T>(call: Promise<T>, options?: { write?: boolean }): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw redisFailure(err, options);
  }
}

/**
 * Runs a pipeline and answers each command's reply, in order; fails as a whole if any command failed. In
 * cluster mode every key of one pipeline must hash to one slot: see slots.ts for work that spans slots.
 */
export async function execPipeline(pipeline: ChainableCommander, options?: { write?: boolean }): Promise<unknown[]> {
  const results = (await redisCall(pipeline.exec(), options)) ?? [];
  return results.map(([err, value]) => {
    if (err) throw redisFailure(err, options);
    return value;
  });
}

/** Fails fast when the connection is down, so requests never wait on a dead socket. */
export function assertRedisReady(redis: RedisClient): void {
  if (redis.status !== 'ready') {
    throw new TributaryError('REDIS_UNAVAILABLE', `Redis is ${redisState(redis)}`);
  }
}

/**
 * Whether Redis answers a PING within `timeoutMs`: a frozen Redis keeps its socket open and would look
 * connected. In cluster mode every master must answer, since each holds a share of the partitions.
 */
export async function pingRedis(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  if (nodes.length === 0) return false;
  try {
    const replies = await withDeadline(Promise.all(nodes.map((node) => node.ping())), timeoutMs);
    return replies.every((reply) => reply === 'PONG');
  } catch {
    return false;
  }
}
