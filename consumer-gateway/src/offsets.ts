// Moving a consumer's offsets by hand: seek (to the earliest or latest record, an offset, or a time) and
// commit (after reads with commit=false). Every offset is checked against its partition's valid range,
// [log start, next offset], then stored by one setOffsets script (core/lua/setOffsets-2.lua), which also
// checks the subscription.
//
// Redis keys touched (core/keys.ts):
//   trib:consumer:{<email>}:subscriptions, trib:consumer:{<email>}:offsets:<topic>
//   trib:{<topicId>:<p>}:state, and for a time seek trib:{<topicId>:<p>}:segments and :seg:<base> (read only)
import {
  assertRedisReady,
  TributaryError,
  topicNotFound,
  type OffsetPosition,
  type PartitionOffsets,
  type Storage,
  type Topic,
  type TopicCache,
} from '@tributary/core';
import { checkPartition, liveOffsets, liveTopic } from './topic-lookup.js';

export type SeekTarget = { to: 'earliest' | 'latest' } | { offset: number } | { timestamp: number };

export class ConsumerOffsets {
  constructor(
    private readonly storage: Storage,
    private readonly topics: TopicCache,
  ) {}

  /** Moves the consumer's offset in one partition, or in every partition when `partition` is undefined. */
  async seek(email: string, topicName: string, target: SeekTarget, partition?: number): Promise<OffsetPosition[]> {
    const topic = liveTopic(this.topics, topicName);
    if (partition !== undefined) checkPartition(topic, partition);
    assertRedisReady(this.storage.redis);
    const states = (await liveOffsets(this.storage.logs, topic)).filter((p) => partition === undefined || p.partition === partition);
    const positions = await Promise.all(
      states.map(async (state) => {
        const offset = await this.#offsetOf(topic, state, target);
        checkRange(topic, state, offset);
        return { partition: state.partition, offset };
      }),
    );
    await this.storage.consumers.setOffsets(email, topic, positions);
    return positions;
  }

  async commit(email: string, topicName: string, partition: number, offset: number): Promise<void> {
    const topic = liveTopic(this.topics, topicName);
    checkPartition(topic, partition);
    assertRedisReady(this.storage.redis);
    const state = await this.storage.logs.offsets(topic, partition);
    if (state.deleted) throw topicNotFound(topic.name);
    checkRange(topic, state, offset);
    await this.storage.consumers.setOffsets(email, topic, [{ partition, offset }]);
  }

  async #offsetOf(topic: Topic, state: PartitionOffsets, target: SeekTarget): Promise<number> {
    if ('offset' in target) return target.offset;
    if ('timestamp' in target) return this.storage.logs.offsetForTime(topic, state, target.timestamp);
    return target.to === 'earliest' ? state.logStartOffset : state.nextOffset;
  }
}

/** INVALID_OFFSET unless `offset` is from the partition's log start to its next offset. */
export function checkRange(topic: Topic, { partition, logStartOffset, nextOffset }: PartitionOffsets, offset: number): void {
  if (offset < logStartOffset || offset > nextOffset) {
    throw new TributaryError(
      'INVALID_OFFSET',
      `offset ${offset} is outside the valid range of topic "${topic.name}" partition ${partition}: ` +
        `${logStartOffset} (log start) to ${nextOffset} (next offset)`,
      { topic: topic.name, partition },
    );
  }
}
