// Moving a consumer's offsets by hand: seek (to the earliest or latest record, an offset, or a time) and
// commit (after reads with commit=false). Every offset is checked against its partition's valid range,
// [log start, next offset], then stored by one setOffsets script (core/lua/setOffsets-2.lua), which also
// checks the subscription.
//
// Redis keys touched (core/keys.ts):
//   trib:consumer:{<email>}:subscriptions, trib:consumer:{<email>}:offsets:<topic>
//   trib:{<topicId>:<p>}:state, and for a time seek trib:{<topicId>:<p>}:segments and :seg:<base> (read only)
import type { Redis } from 'ioredis';
import {
  assertRedisReady,
  consumerKeys,
  entryTimestamp,
  partitionKeys,
  redisCall,
  scriptError,
  TributaryError,
  type PartitionOffsets,
  type Topic,
  type TopicCache,
} from '@tributary/core';
import { checkPartition, liveOffsets, liveTopic } from './topic-lookup.js';

export type SeekTarget = { to: 'earliest' | 'latest' } | { offset: number } | { timestamp: number };

export interface OffsetPosition {
  partition: number;
  offset: number;
}

export class ConsumerOffsets {
  constructor(
    private readonly redis: Redis,
    private readonly topics: TopicCache,
  ) {}

  /** Moves the consumer's offset in one partition, or in every partition when `partition` is undefined. */
  async seek(email: string, topicName: string, target: SeekTarget, partition?: number): Promise<OffsetPosition[]> {
    const topic = liveTopic(this.topics, topicName);
    if (partition !== undefined) checkPartition(topic, partition);
    assertRedisReady(this.redis);
    const states = (await liveOffsets(this.redis, topic)).filter((p) => partition === undefined || p.partition === partition);
    const positions = await Promise.all(
      states.map(async (state) => {
        const offset = await this.#offsetOf(topic, state, target);
        checkRange(topic, state, offset);
        return { partition: state.partition, offset };
      }),
    );
    await this.#store(email, topic, positions);
    return positions;
  }

  async commit(email: string, topicName: string, partition: number, offset: number): Promise<void> {
    const topic = liveTopic(this.topics, topicName);
    checkPartition(topic, partition);
    assertRedisReady(this.redis);
    const state = (await liveOffsets(this.redis, topic))[partition]!;
    checkRange(topic, state, offset);
    await this.#store(email, topic, [{ partition, offset }]);
  }

  async #offsetOf(topic: Topic, state: PartitionOffsets, target: SeekTarget): Promise<number> {
    if ('offset' in target) return target.offset;
    if ('timestamp' in target) return this.#offsetForTime(topic, state, target.timestamp);
    return target.to === 'earliest' ? state.logStartOffset : state.nextOffset;
  }

  /**
   * The first offset whose record was appended at or after `timestamp` (the next offset if none was). Append
   * times never decrease within a partition (appendRecords.lua), so: the segment index names the last segment
   * starting before `timestamp`, and a binary search inside it finds the record. That is about log2(S) LINDEX
   * round trips, each O(S); reading the whole segment in one LRANGE could move S large records instead.
   */
  async #offsetForTime(
    topic: Topic,
    { partition, logStartOffset, nextOffset }: PartitionOffsets,
    timestamp: number,
  ): Promise<number> {
    const keys = partitionKeys({ topicId: topic.id, partition });
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

  async #store(email: string, topic: Topic, positions: OffsetPosition[]): Promise<void> {
    const keys = consumerKeys(email);
    const pairs = positions.flatMap(({ partition, offset }) => [partition, offset]);
    const outcome = await redisCall(
      this.redis.setOffsets(keys.subscriptions, keys.offsets(topic.name), topic.name, topic.id, pairs),
      { write: true },
    );
    if (outcome < 0) throw scriptError(outcome, { topic: topic.name, email });
  }
}

function checkRange(topic: Topic, { partition, logStartOffset, nextOffset }: PartitionOffsets, offset: number): void {
  if (offset < logStartOffset || offset > nextOffset) {
    throw new TributaryError(
      'INVALID_OFFSET',
      `offset ${offset} is outside the valid range of topic "${topic.name}" partition ${partition}: ` +
        `${logStartOffset} (log start) to ${nextOffset} (next offset)`,
      { topic: topic.name, partition },
    );
  }
}
