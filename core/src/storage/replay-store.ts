// Replays in Redis (POST /replay, broker/src/replay.ts): each replay's spec, status, counters and per-partition
// positions in one hash, and an index of every replay. The positions advance by compare-and-set
// (advanceReplay-1.lua), so the controller that runs replays can crash or change at any point: the next one
// resumes from the stored positions.
//
// Redis keys (core/keys.ts): trib:replay:{<id>}:state, trib:{replays}:index.
import type { Result } from 'ioredis';
import { replayIndexKey, replayKeys } from '../keys.js';
import { redisCall, type RedisClient } from './connection.js';
import { pipelineEach } from './slots.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    advanceReplay(state: string, ...args: Array<string | number>): Result<number, Context>;
    finishReplay(state: string, status: string, error: string, now: number, keepSeconds: number): Result<number, Context>;
  }
}

export type ReplayStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** What a replay does, as stored: topics by name and by id (a topic re-created under the name is another). */
export interface ReplaySpec {
  source: { topic: string; id: string; partitions: number };
  /** With a group: the group's replay topic (core/groups.ts replayTopicName), which only that group reads. */
  target: { topic: string; id: string; group?: string };
  /** Append times (ms) of the window, inclusive. */
  from: number;
  to: number;
  filter: Record<string, unknown> | null;
}

export interface StoredReplay {
  id: string;
  spec: ReplaySpec;
  status: ReplayStatus;
  createdAt: number;
  finishedAt: number | null;
  error: string | null;
  scanned: number;
  matched: number;
  written: number;
  partitions: Array<{ partition: number; position: number; end: number }>;
}

export interface ReplayProgress {
  partition: number;
  from: number;
  to: number;
  scanned: number;
  matched: number;
  written: number;
}

/** How long a replay's state is kept once it has ended. */
const KEEP_SECONDS = 24 * 60 * 60;

export class ReplayStore {
  constructor(readonly redis: RedisClient) {}

  /** Stores a new running replay; `ranges[p]` is where partition p's scan starts and ends. */
  async create(id: string, spec: ReplaySpec, ranges: ReadonlyArray<{ start: number; end: number }>, now: number): Promise<void> {
    const fields: Array<string | number> = ['spec', JSON.stringify(spec), 'status', 'running', 'created_at', now, 'scanned', 0, 'matched', 0, 'written', 0];
    ranges.forEach(({ start, end }, p) => fields.push(`pos:${p}`, start, `end:${p}`, end));
    await redisCall(this.redis.hset(replayKeys(id).state, ...fields), { write: true });
    await redisCall(this.redis.zadd(replayIndexKey, now, id), { write: true });
  }

  async get(id: string): Promise<StoredReplay | undefined> {
    return decode(id, await redisCall(this.redis.hgetall(replayKeys(id).state)));
  }

  /** The most recent replays first, at most `limit`; ids whose state has expired leave the index. */
  async list(limit: number): Promise<StoredReplay[]> {
    const ids = await redisCall(this.redis.zrevrange(replayIndexKey, 0, limit - 1));
    const states = await pipelineEach(this.redis, ids, (id) => replayKeys(id).state, (pipeline, id) => pipeline.hgetall(replayKeys(id).state));
    const found: StoredReplay[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const replay = decode(id, states[i] as Record<string, string>);
      if (replay) found.push(replay);
      else gone.push(id);
    });
    if (gone.length > 0) await redisCall(this.redis.zrem(replayIndexKey, ...gone), { write: true });
    return found;
  }

  /** Ids of the replays still running, oldest first (at most `limit` are looked at). */
  async running(limit: number): Promise<string[]> {
    const ids = await redisCall(this.redis.zrange(replayIndexKey, 0, -1));
    const statuses = await pipelineEach(this.redis, ids, (id) => replayKeys(id).state, (pipeline, id) => pipeline.hget(replayKeys(id).state, 'status'));
    return ids.filter((_, i) => statuses[i] === 'running').slice(0, limit);
  }

  /** How many replays run now. */
  async countRunning(): Promise<number> {
    return (await this.running(Number.MAX_SAFE_INTEGER)).length;
  }

  /** advanceReplay-1.lua: 1 advanced, 2 advanced and completed, 0 no longer running, -1 moved by someone else. */
  advance(id: string, partitions: number, { partition, from, to, scanned, matched, written }: ReplayProgress, now: number): Promise<number> {
    return redisCall(this.redis.advanceReplay(replayKeys(id).state, partition, from, to, scanned, matched, written, partitions, now, KEEP_SECONDS), { write: true });
  }

  /** Ends a running replay as cancelled or failed; false if it had already ended. */
  async finish(id: string, status: 'cancelled' | 'failed', error: string, now: number): Promise<boolean> {
    return (await redisCall(this.redis.finishReplay(replayKeys(id).state, status, error, now, KEEP_SECONDS), { write: true })) === 1;
  }
}

function decode(id: string, hash: Record<string, string>): StoredReplay | undefined {
  if (!hash.spec) return undefined;
  const spec = JSON.parse(hash.spec) as ReplaySpec;
  return {
    id,
    spec,
    status: hash.status as ReplayStatus,
    createdAt: Number(hash.created_at),
    finishedAt: hash.finished_at === undefined ? null : Number(hash.finished_at),
    error: hash.error ?? null,
    scanned: Number(hash.scanned ?? 0),
    matched: Number(hash.matched ?? 0),
    written: Number(hash.written ?? 0),
    partitions: Array.from({ length: spec.source.partitions }, (_, partition) => ({
      partition,
      position: Number(hash[`pos:${partition}`]),
      end: Number(hash[`end:${partition}`]),
    })),
  };
}
