// Redis connections: one factory with one retry policy and a deadline on every command, so an outage
// answers 503 quickly instead of hanging (DEVELOPERS.md: every Redis call has a deadline).
import { Redis, ReplyError, type ChainableCommander } from 'ioredis';
import type { Config } from './config.js';
import { TributaryError } from './errors.js';
import { withDeadline } from './deadline.js';
import { defineScripts } from './scripts.js';

export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface RedisOptions {
  /** Shown in CLIENT LIST and logs. */
  name: string;
  /** Subscriber connections wait through outages instead of failing fast, and resubscribe on reconnect. */
  subscriber?: boolean;
}

export function createRedis(config: Config, { name, subscriber = false }: RedisOptions): Redis {
  const redis = new Redis({
    host: config.redisHost,
    port: config.redisPort,
    db: config.redisDb,
    password: config.redisPassword,
    connectionName: `tributary-${name}`,
    lazyConnect: true,
    connectTimeout: config.redisTimeoutMs,
    commandTimeout: subscriber ? undefined : config.redisTimeoutMs,
    // Fail fast while disconnected rather than queueing requests behind an outage...
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 0,
    // ...and never resend a command whose outcome is unknown: a blind resend of an append could store a
    // batch twice (DESIGN.md I6). The client decides whether to retry.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  });
  if (!subscriber) defineScripts(redis);
  // Connection errors surface through redis.status and per-command failures; without a listener ioredis
  // would print each reconnect attempt as an unhandled 'error'.
  redis.on('error', () => {});
  return redis;
}

export function redisState(redis: Redis): ConnectionState {
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
export async function connectRedis(redis: Redis, config: Config): Promise<void> {
  try {
    await withDeadline(redis.connect(), config.redisTimeoutMs * 3);
  } catch (err) {
    redis.disconnect();
    throw new TributaryError(
      'REDIS_UNAVAILABLE',
      `cannot connect to Redis at ${config.redisHost}:${config.redisPort}`,
      {},
      { cause: err },
    );
  }
}

// Redis answers these when it cannot serve now but may soon: an outage, not a bug.
const TRANSIENT_REPLY = /^(OOM|LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

/**
 * Turns a failed Redis call into a TributaryError. A write that failed after it was sent may or may not
 * have been applied: the client must learn that, and decide on a retry (DESIGN.md I6).
 */
export function redisFailure(err: unknown, { write = false } = {}): TributaryError {
  if (err instanceof TributaryError) return err;
  if (err instanceof ReplyError) {
    const reply = (err as Error).message;
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

/** Runs a pipeline and answers each command's reply, in order; fails as a whole if any command failed. */
export async function execPipeline(pipeline: ChainableCommander, options?: { write?: boolean }): Promise<unknown[]> {
  const results = (await redisCall(pipeline.exec(), options)) ?? [];
  return results.map(([err, value]) => {
    if (err) throw redisFailure(err, options);
    return value;
  });
}

/** Fails fast when the connection is down, so requests never wait on a dead socket. */
export function assertRedisReady(redis: Redis): void {
  if (redis.status !== 'ready') {
    throw new TributaryError('REDIS_UNAVAILABLE', `Redis is ${redisState(redis)}`);
  }
}

export async function pingRedis(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
