// Nack, retry, dead letters: POST /groups/:group/members/:member/nack. A nacked record is delivered to the
// group again after a delay (the partition's other records go on meanwhile), up to the group's
// max_deliveries; then it is written to the dead-letter topic (`<topic>.dlq` by default) with headers naming
// where it came from and why, and the group moves on (GroupStore.nack, nackRecord-7.lua). A group whose
// dead_letter_topic is null drops such records; otherwise a topic with a dead-letter setting of its own
// (topic config `dead_letter_topic`: a name, or null to drop) decides for every group that reads it.
//
// The dead-letter topic is created when first needed, by this gateway: it holds a TopicAdmin of its own (the
// broker's code, on the same ZooKeeper and Redis), so a nack needs no broker. The record is written through
// the broker's PartitionWriter with an idempotency id made from (group, topic id, partition, offset): a nack
// retried after an unknown outcome, or repeated by the partition's next holder, stores it once within the
// dead-letter topic's dedup window (docs/invariants.md I8). Its nack state is settled only after the write.
//
// Redis keys touched (core/keys.ts): trib:group:{<g>}:meta, :sessions, :owners, :positions, :deliveries,
// :retry:<topicId>:<p>, :inflight:<topicId>:<p>; the partition's :state and :seg:<base> (reading the record);
// the dead-letter partition's keys (the write path's); ZooKeeper /topics/<dlq> when it is created.
import { createHash } from 'node:crypto';
import type { PartitionWriter, TopicAdmin } from '@tributary/broker';
import {
  assertRedisReady,
  checkPartition,
  deadLetterTopicName,
  decodeEntry,
  TributaryError,
  type Config,
  type NackAnswer,
  type Storage,
  type Topic,
  type TopicCache,
} from '@tributary/core';
import { liveTopic } from '../topic-lookup.js';

export interface NackRequest {
  topic: string;
  partition: number;
  offset: number;
  /** Redeliver after this long; the group's retry_delay_ms when not given. */
  delay_ms?: number;
  reason?: string;
}


/** The headers a dead-lettered record carries, besides its own. */
export const deadLetterHeaders = Object.freeze({
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  timestamp: 'dlq-original-timestamp',
  deliveryCount: 'dlq-delivery-count',
  reason: 'dlq-reason',
  group: 'dlq-group',
});

/** Room for the dead-letter headers on top of the largest record of the original topic. */
const HEADER_ROOM_BYTES = 64 * 1024;

export class GroupNacks {
  constructor(
    private readonly storage: Storage,
    private readonly topics: TopicCache,
    private readonly admin: TopicAdmin,
    private readonly writer: PartitionWriter,
    private readonly config: Config,
  ) {}

  async nack(group: string, member: string, request: NackRequest): Promise<NackAnswer> {
    const topic = liveTopic(this.topics, request.topic);
    checkPartition(topic, request.partition);
    assertRedisReady(this.storage.redis);
    const partition = { topicId: topic.id, topic: topic.name, partition: request.partition };
    const reason = request.reason ?? '';
    const nacked = await this.storage.groups.nack(group, member, partition, request.offset, request.delay_ms, reason);
    const answer = { topic: topic.name, partition: request.partition, offset: request.offset, delivery_count: nacked.deliveryCount };
    if (nacked.outcome === 'retry') return { ...answer, outcome: 'retry', retry_at: nacked.dueAt };
    if (nacked.outcome === 'dropped') return { ...answer, outcome: 'dropped' };

    // The topic's own dead-letter setting, when it has one, decides for every group (null: drop the record).
    const target = topic.config.deadLetterTopic === undefined ? deadLetterTopicName(nacked.deadLetterTemplate, topic.name) : topic.config.deadLetterTopic;
    const { first, entries } = await this.storage.logs.readRecords(topic, request.partition, request.offset, request.offset + 1, Number.MAX_SAFE_INTEGER);
    if (target === null || first !== request.offset || entries.length === 0) {
      // Nowhere to go, or retention dropped it meanwhile: there is nothing to dead-letter.
      await this.storage.groups.settle(group, partition, [request.offset]);
      return { ...answer, outcome: 'dropped' };
    }
    const record = decodeEntry(entries[0]!, request.offset);
    const deadLetters = await this.#deadLetterTopic(target, topic);
    const [stored] = await this.writer.write(deadLetters, [
      {
        key: record.key,
        value: record.value,
        headers: {
          ...record.headers,
          [deadLetterHeaders.topic]: topic.name,
          [deadLetterHeaders.partition]: String(request.partition),
          [deadLetterHeaders.offset]: String(request.offset),
          [deadLetterHeaders.timestamp]: String(record.timestamp),
          [deadLetterHeaders.deliveryCount]: String(nacked.deliveryCount),
          [deadLetterHeaders.reason]: reason,
          [deadLetterHeaders.group]: group,
        },
        id: `dlq-${createHash('sha256').update(`${group}\n${topic.id}\n${request.partition}\n${request.offset}`).digest('hex').slice(0, 40)}`,
      },
    ]);
    if (!stored || !('offset' in stored)) throw new TributaryError('INTERNAL_ERROR', 'the dead-letter write answered no result');
    await this.storage.groups.settle(group, partition, [request.offset]);
    return { ...answer, outcome: 'dead_lettered', dead_letter: { topic: deadLetters.name, partition: stored.partition, offset: stored.offset } };
  }

  /** The dead-letter topic, created (as many partitions as the original) if it does not exist yet. */
  async #deadLetterTopic(name: string, original: Topic): Promise<Topic> {
    const existing = this.topics.get(name);
    if (existing) return existing;
    try {
      await this.admin.create(name, original.partitions, {
        max_record_bytes: Math.min(original.config.maxRecordBytes + HEADER_ROOM_BYTES, this.config.maxBodyBytes),
      });
    } catch (err) {
      // Another gateway created it first: this one's cache hears of it from its watch.
      if (!(err instanceof TributaryError) || err.code !== 'TOPIC_EXISTS') throw err;
      await this.topics.refresh();
    }
    return liveTopic(this.topics, name);
  }
}
