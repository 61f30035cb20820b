// Partition logs in Redis: every call on a partition's keys goes through here. One method per Lua script
// (it assembles KEYS and ARGV and decodes the reply), plus the plain reads of states and segments.
//
// Redis keys (core/keys.ts), all under one partition's hash tag {<topicId>:<p>}, so every call touches one
// Redis Cluster slot:
//   trib:{<topicId>:<p>}:state       hash   next, start, last_ts, deleted, controller_epoch
//   trib:{<topicId>:<p>}:segments    zset   segment base offset -> first append time
//   trib:{<topicId>:<p>}:seg:<base>  list   records base .. base+S-1, each "<timestamp> <payload>" (log.ts)
//   trib:{<topicId>:<p>}:appended    shard channel: the new next offset after every append
import type { ChainableCommander } from 'ioredis';
import { entryTimestamp, segmentBase, segmentBases } from '../log.js';
import { partitionKeys, type PartitionKeys } from '../keys.js';
import type { Topic } from '../topics.js';
import { topicNotFound } from '../errors.js';
import { topicConfigDefaults } from '../config.js';
import { redisCall, type RedisClient } from './connection.js';
import { ScriptResult, scriptError } from './result-codes.js';
import { pipelineEach } from './slots.js';

export interface PartitionOffsets {
  partition: number;
  /** First offset still stored (retention moves it forward). */
  logStartOffset: number;
  /** Offset the next record will get: the high watermark. */
  nextOffset: number;
  /** Whether delete_topic has marked this partition (or its state is gone). */
  deleted: boolean;
}

export interface Appended {
  /** Offset of the first record appended; the others follow contiguously, in request order. */
  firstOffset: number;
  /** Append time of every record appended by the call, ms on Redis' clock. */
  timestamp: number;
  /**
   * Records (index into the call's payloads) that were not appended because their id was already in the
   * window, with the offset and timestamp of the record that carried the id first.
   */
  duplicates?: Map<number, { offset: number; timestamp: number }>;
}

/** Stored entries ("<timestamp> <payload>", log.ts) of consecutive offsets first, first + 1, ... */
export interface RecordRun {
  first: number;
  entries: string[];
}

/** A deleted topic as the controller reclaims it: the id its keys were built from. */
export type StoredTopic = Pick<Topic, 'id' | 'partitions' | 'config'> & { name?: string };

// appendRecords answers SEGMENTS_NOT_DECLARED when the segment lists we declared do not cover the offsets it
// would assign (keys must be declared, the Redis Cluster rule). Each retry declares a wider range, so even
// heavy contention from other brokers converges within a few attempts.
const MAX_APPEND_ATTEMPTS = 4;
const RETRY_WIDENING = 8;
/** Segment lists handed to one script call: bounds how long one controller call holds Redis. */
const SEGMENTS_PER_CALL = 100;
/** Ids one expireRecordIds call forgets at most. */
const EXPIRED_IDS_PER_CALL = 1_000;
/** How long a deleted partition's state stays as a tombstone, refusing writers with stale metadata. */
const TOMBSTONE_TTL_SECONDS = 24 * 60 * 60;

const keysOf = (topic: Pick<Topic, 'id'>, partition: number): PartitionKeys =>
  partitionKeys({ topicId: topic.id, partition });

const partitionsOf = (topic: Pick<Topic, 'partitions'>): number[] => Array.from({ length: topic.partitions }, (_, p) => p);

export class LogStore {
  /**
   * Next offset last seen per partition state key: a hint for which segment lists to declare. A stale hint
   * costs a retry, never a wrong offset: the script assigns offsets itself.
   */
  readonly #nextOffsetHint = new Map<string, number>();
  /**
   * Records this process has sent to a partition and not yet seen answered. Commands to one partition run in
   * order on one connection, so those all land before the next append: declaring that much extra avoids
   * retries.
   */
  readonly #inFlight = new Map<string, number>();

  constructor(readonly redis: RedisClient) {}

  // ---- the write path ----

  /**
   * Appends payloads (encoded records, log.ts) to one partition in one script call, atomically and with
   * contiguous offsets (docs/invariants.md I1). `ids[i]` is the idempotency id of payload i ('' for none): a record
   * whose id was appended within the topic's dedup window is not appended again (I8). Fails with
   * TOPIC_NOT_FOUND, PARTITION_BUSY (nothing stored) or WRITE_OUTCOME_UNKNOWN (Redis did not answer: it may
   * have been stored, and a retry with the same ids is safe).
   */
  async append(topic: Topic, partition: number, payloads: readonly string[], ids?: readonly string[]): Promise<Appended> {
    const keys = keysOf(topic, partition);
    const S = topic.config.segmentRecords;
    const window = ids ? (topic.config.dedupWindowMs ?? topicConfigDefaults.dedupWindowMs) : 0;
    const args = window > 0 ? [window, ids!, payloads] : [0, payloads];
    const ahead = this.#inFlight.get(keys.state) ?? 0;
    this.#inFlight.set(keys.state, ahead + payloads.length);
    let hint = this.#nextOffsetHint.get(keys.state) ?? 0;
    try {
      for (let attempt = 1; ; attempt++) {
        const firstBase = segmentBase(hint, S);
        const slack = ahead + S * RETRY_WIDENING ** (attempt - 1);
        const segments = segmentBases(firstBase, hint + payloads.length + slack, S).map(keys.segment);
        const reply = await redisCall(
          this.redis.appendRecords(5 + segments.length, keys.state, keys.segments, keys.appended, keys.ids, keys.idsLog, segments, S, firstBase, ...args),
          { write: true },
        );
        const [code, value = 0] = reply as [number, number?];
        if (code >= 0) {
          const appended = reply.length > 2 ? decodeDuplicates(code, value, reply) : { firstOffset: code, timestamp: value };
          this.#nextOffsetHint.set(keys.state, code + payloads.length - (appended.duplicates?.size ?? 0));
          return appended;
        }
        if (code === ScriptResult.SEGMENTS_NOT_DECLARED && attempt < MAX_APPEND_ATTEMPTS) {
          hint = value;
          continue;
        }
        this.#nextOffsetHint.delete(keys.state);
        throw scriptError(code, { topic: topic.name, partition });
      }
    } finally {
      const left = (this.#inFlight.get(keys.state) ?? payloads.length) - payloads.length;
      if (left > 0) this.#inFlight.set(keys.state, left);
      else this.#inFlight.delete(keys.state);
    }
  }

  /** Where the record that carried `id` was appended, while the id is inside its topic's dedup window. */
  async findRecordId(topic: Topic, id: string): Promise<{ partition: number; offset: number; timestamp: number } | undefined> {
    const window = topic.config.dedupWindowMs ?? topicConfigDefaults.dedupWindowMs;
    const [replies, now] = await Promise.all([
      pipelineEach(
        this.redis,
        partitionsOf(topic),
        (partition) => keysOf(topic, partition).ids,
        (pipeline, partition) => pipeline.hget(keysOf(topic, partition).ids, id),
      ),
      this.#now(),
    ]);
    for (const [partition, stored] of replies.entries()) {
      if (typeof stored !== 'string') continue;
      const [offset, timestamp] = stored.split(' ').map(Number) as [number, number];
      if (timestamp >= now - window) return { partition, offset, timestamp };
    }
    return undefined;
  }

  /** Redis' clock, in ms: the one that stamps records. */
  async #now(): Promise<number> {
    const [seconds, micros] = await redisCall(this.redis.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  // ---- the read path ----

  /** One partition's offsets, in one round trip. */
  async offsets(topic: Pick<Topic, 'id'>, partition: number): Promise<PartitionOffsets> {
    const reply = await redisCall(this.redis.hmget(keysOf(topic, partition).state, 'start', 'next', 'deleted'));
    return decodeOffsets(partition, reply);
  }

  /** Every partition's offsets: one pipeline per hash slot, all in flight together. */
  async allOffsets(topic: Pick<Topic, 'id' | 'partitions'>): Promise<PartitionOffsets[]> {
    const replies = await pipelineEach(
      this.redis,
      partitionsOf(topic),
      (partition) => keysOf(topic, partition).state,
      (pipeline, partition) => pipeline.hmget(keysOf(topic, partition).state, 'start', 'next', 'deleted'),
    );
    return replies.map((reply, partition) => decodeOffsets(partition, reply as Array<string | null>));
  }

  /**
   * The stored entries of offsets [from, to), in order and without gaps from `first`, at most about
   * `maxBytes` of them but always at least one (core/lua/readRecords.lua). Memory stays bounded however large
   * the records are; the cost is O(entries returned) wherever `from` is (docs/invariants.md I3). `first` is above
   * `from` only when retention dropped the records before it.
   */
  async readRecords(topic: Topic, partition: number, from: number, to: number, maxBytes: number): Promise<RecordRun> {
    if (to <= from) return { first: from, entries: [] };
    const keys = keysOf(topic, partition);
    const S = topic.config.segmentRecords;
    const bases = segmentBases(from, to, S);
    const [first, ...entries] = await redisCall(
      this.redis.readRecords(bases.length, bases.map(keys.segment), S, from, to, bases[0]!, maxBytes),
    );
    return { first: Number(first), entries: entries as string[] };
  }

  /**
   * The first offset whose record was appended at or after `timestamp` (the next offset if none was). Append
   * times never decrease within a partition, so the segment index names the last segment starting before
   * `timestamp`, and a binary search inside it finds the record: about log2(S) LINDEX round trips, where one
   * LRANGE of the segment could move S large records.
   */
  async offsetForTime(topic: Topic, { partition, logStartOffset, nextOffset }: PartitionOffsets, timestamp: number): Promise<number> {
    const keys = keysOf(topic, partition);
    const S = topic.config.segmentRecords;
    const bases = await redisCall(this.redis.zrevrangebyscore(keys.segments, `(${timestamp}`, '-inf', 'LIMIT', 0, 1));
    if (bases.length === 0) return logStartOffset;
    const base = Number(bases[0]);
    let low = Math.max(base, logStartOffset);
    let high = Math.min(base + S, nextOffset);
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const entry = await redisCall(this.redis.lindex(keys.segment(base), middle - base));
      // A missing entry was just dropped by retention: older than anything still stored.
      if (entry === null || entryTimestamp(entry) < timestamp) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // ---- topic admin ----

  /** Starts an empty log at offset 0 for every partition (existing ones are left untouched). */
  async createPartitions(topic: Pick<Topic, 'id' | 'partitions'>): Promise<void> {
    await this.#eachPartition(topic, (pipeline, keys) => pipeline.createPartition(keys.state));
  }

  /** Undoes createPartitions for a topic nothing refers to (its creation failed half-way). */
  async removePartitions(topic: Pick<Topic, 'id' | 'partitions'>): Promise<void> {
    await this.#eachPartition(topic, (pipeline, keys) => pipeline.unlink(keys.state));
  }

  /** Marks every partition deleted: writes and reads are refused from now on (docs/invariants.md I4). */
  async markDeleted(topic: Pick<Topic, 'id' | 'partitions'>): Promise<void> {
    await this.#eachPartition(topic, (pipeline, keys) => pipeline.deletePartition(keys.state));
  }

  /** One write command per partition, fanned out by hash slot. */
  async #eachPartition(topic: Pick<Topic, 'id' | 'partitions'>, command: (pipeline: ChainableCommander, keys: PartitionKeys) => unknown) {
    await pipelineEach(
      this.redis,
      partitionsOf(topic),
      (partition) => keysOf(topic, partition).state,
      (pipeline, partition) => command(pipeline, keysOf(topic, partition)),
      { write: true },
    );
  }

  // ---- the controller's duties, fenced by its epoch ----

  /**
   * Frees every segment of a deleted topic, a bounded number per call, and leaves each partition's state as
   * a tombstone that expires. Fails with STALE_CONTROLLER if a newer controller has acted on a partition.
   */
  async reclaim(topic: StoredTopic, controllerEpoch: number): Promise<void> {
    const S = topic.config.segmentRecords;
    for (const { partition, logStartOffset, nextOffset } of await this.allOffsets(topic)) {
      const keys = keysOf(topic, partition);
      const bases = segmentBases(logStartOffset, nextOffset, S);
      do {
        const chunk = bases.splice(0, SEGMENTS_PER_CALL);
        const last = bases.length === 0 ? 1 : 0;
        const removed = await redisCall(
          this.redis.reclaimPartition(4 + chunk.length, keys.state, keys.segments, keys.ids, keys.idsLog, chunk.map(keys.segment), last, TOMBSTONE_TTL_SECONDS, controllerEpoch),
          { write: true },
        );
        // A partition that was never marked (or whose tombstone already expired) has nothing to free.
        if (removed === ScriptResult.NOT_DELETED) break;
        if (removed < 0) throw scriptError(removed, { topic: topic.name, partition });
      } while (bases.length > 0);
    }
  }

  /**
   * Forgets ids that left the topic's dedup window in every partition, a bounded number per call. Appends
   * with ids do this as they go; this covers partitions that stopped receiving ids.
   */
  async expireRecordIds(topic: Topic): Promise<void> {
    const window = topic.config.dedupWindowMs ?? topicConfigDefaults.dedupWindowMs;
    for (const partition of partitionsOf(topic)) {
      const keys = keysOf(topic, partition);
      while ((await redisCall(this.redis.expireRecordIds(keys.ids, keys.idsLog, window, EXPIRED_IDS_PER_CALL), { write: true })) === EXPIRED_IDS_PER_CALL);
    }
  }

  /**
   * Drops whole segments whose records are all older than the topic's retention, advancing each partition's
   * log start (offsets never shift, docs/invariants.md I1). The active segment always stays. Each partition's script
   * reads its own shard's clock, the clock that stamped its records.
   */
  async applyRetention(topic: Topic, controllerEpoch: number): Promise<void> {
    if (topic.config.retentionMs < 0) return;
    const S = topic.config.segmentRecords;
    for (const { partition, logStartOffset, nextOffset, deleted } of await this.allOffsets(topic)) {
      if (deleted) continue;
      const keys = keysOf(topic, partition);
      let start = logStartOffset;
      const active = segmentBase(nextOffset, S);
      while (start < active) {
        const chunk = segmentBases(start, Math.min(active, start + SEGMENTS_PER_CALL * S), S);
        const newStart = await redisCall(
          this.redis.applyRetention(2 + chunk.length, keys.state, keys.segments, chunk.map(keys.segment), S, topic.config.retentionMs, chunk[0]!, controllerEpoch),
          { write: true },
        );
        if (newStart === ScriptResult.PARTITION_MISSING || newStart === ScriptResult.PARTITION_DELETED) break;
        if (newStart < 0) throw scriptError(newStart, { topic: topic.name, partition });
        if (newStart < chunk[chunk.length - 1]! + S) break;
        start = newStart;
      }
    }
  }
}

/** The append script's reply when some records were duplicates: {first, timestamp, [index, offset, ts]...}. */
function decodeDuplicates(firstOffset: number, timestamp: number, reply: number[]): Appended {
  const duplicates = new Map<number, { offset: number; timestamp: number }>();
  for (let i = 2; i < reply.length; i += 3) duplicates.set(reply[i]! - 1, { offset: reply[i + 1]!, timestamp: reply[i + 2]! });
  return { firstOffset, timestamp, duplicates };
}

function decodeOffsets(partition: number, [start, next, deleted]: Array<string | null>): PartitionOffsets {
  return {
    partition,
    logStartOffset: Number(start ?? 0),
    nextOffset: Number(next ?? 0),
    deleted: deleted != null || next == null,
  };
}

/** The one error for a partition whose log is gone or marked deleted while the topic cache still has it. */
export function assertLive(topic: Topic, offsets: PartitionOffsets): PartitionOffsets {
  if (offsets.deleted) throw topicNotFound(topic.name);
  return offsets;
}
