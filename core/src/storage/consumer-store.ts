// Consumers in Redis: every call on a consumer's keys goes through here, one method per Lua script.
//
// Redis keys (core/keys.ts), all under one consumer's hash tag {<email>}, so every call touches one Redis
// Cluster slot (a consumer and the partitions it reads are on different slots: no script spans both):
//   trib:consumer:{<email>}:subscriptions     hash  topic name -> id of the topic it subscribed to
//   trib:consumer:{<email>}:offsets:<topic>   hash  partition -> next offset to read (missing: log start)
// and, under the topic id's own tag, who subscribed to a topic (written before the subscription, removed after
// it, so it may name more consumers than are subscribed, never fewer; readers() checks each):
//   trib:topic:{<topicId>}:emails             set   emails
import { consumerKeys, topicReaderKeys } from '../keys.js';
import type { Topic } from '../topics.js';
import { redisCall, execPipeline, redisFailure, type RedisClient } from './connection.js';
import { pipelineEach } from './slots.js';
import { scriptError } from './result-codes.js';
import { TributaryError } from '../errors.js';

export interface OffsetPosition {
  partition: number;
  offset: number;
}

export type SubscribeOutcome = 'subscribed' | 'resubscribed' | 'existing';

/** Where a read of one partition starts and how far it may go: offsets [from, to). */
export interface ReadPosition {
  from: number;
  to: number;
  /** The stored offset had fallen below the log start (retention) and the read starts at the log start. */
  resetFrom?: number;
}

export interface PositionRequest {
  email: string;
  topic: Topic;
  partition: number;
  /** The partition's log start and next offset, read just before (another slot: the script cannot). */
  logStartOffset: number;
  nextOffset: number;
  max: number;
}

const SUBSCRIBE_OUTCOMES: Record<number, SubscribeOutcome> = { 0: 'existing', 1: 'subscribed', 2: 'resubscribed' };

export class ConsumerStore {
  constructor(readonly redis: RedisClient) {}

  /** Subscribes `email` to the topic's current id; a stale subscription (older id) is replaced, offsets too. */
  async subscribe(email: string, topic: Topic, startOffsets: readonly OffsetPosition[]): Promise<SubscribeOutcome> {
    const keys = consumerKeys(email);
    await redisCall(this.redis.sadd(topicReaderKeys(topic.id).emails, email), { write: true });
    const pairs = startOffsets.flatMap(({ partition, offset }) => [partition, offset]);
    const outcome = await redisCall(this.redis.subscribeTopic(keys.subscriptions, keys.offsets(topic.name), topic.name, topic.id, pairs), {
      write: true,
    });
    return SUBSCRIBE_OUTCOMES[outcome] ?? 'subscribed';
  }

  /** Ends the subscription whatever became of the topic (only the consumer's own keys are consulted). */
  async unsubscribe(email: string, topicName: string): Promise<void> {
    const keys = consumerKeys(email);
    const outcome = await redisCall(this.redis.unsubscribeTopic(keys.subscriptions, keys.offsets(topicName), topicName), { write: true });
    if (typeof outcome === 'number') throw scriptError(outcome, { topic: topicName, email });
    await redisCall(this.redis.srem(topicReaderKeys(outcome).emails, email), { write: true });
  }

  /**
   * The consumers subscribed to the topic (its current id), each with its stored offsets (partition ->
   * offset). Names the index holds but that are no longer subscribed are dropped from it.
   */
  async readers(topic: Topic): Promise<Array<{ email: string; offsets: Record<string, string> }>> {
    const index = topicReaderKeys(topic.id).emails;
    const emails = (await redisCall(this.redis.smembers(index))).sort();
    const slotOf = (email: string) => consumerKeys(email).subscriptions;
    const [subscribedTo, offsets] = await Promise.all([
      pipelineEach(this.redis, emails, slotOf, (pipeline, email) => pipeline.hget(consumerKeys(email).subscriptions, topic.name)),
      pipelineEach(this.redis, emails, slotOf, (pipeline, email) => pipeline.hgetall(consumerKeys(email).offsets(topic.name))),
    ]);
    const readers: Array<{ email: string; offsets: Record<string, string> }> = [];
    const stale: string[] = [];
    emails.forEach((email, i) => {
      if (subscribedTo[i] === topic.id) readers.push({ email, offsets: offsets[i] as Record<string, string> });
      else stale.push(email);
    });
    if (stale.length > 0) await redisCall(this.redis.srem(index, stale), { write: true });
    return readers;
  }

  /** Ends every subscription made to a deleted topic (its id and name), and its index. */
  async forgetTopic(topic: Pick<Topic, 'id' | 'name'>): Promise<void> {
    const index = topicReaderKeys(topic.id).emails;
    const emails = await redisCall(this.redis.smembers(index));
    await pipelineEach(
      this.redis,
      emails,
      (email) => consumerKeys(email).subscriptions,
      (pipeline, email) => pipeline.forgetSubscription(consumerKeys(email).subscriptions, consumerKeys(email).offsets(topic.name), topic.name, topic.id),
      { write: true },
    );
    await redisCall(this.redis.unlink(index), { write: true });
  }

  /** Where the consumer's next read of the partition starts; changes nothing. NOT_SUBSCRIBED unless subscribed. */
  async position({ email, topic, partition, logStartOffset, nextOffset, max }: PositionRequest): Promise<ReadPosition> {
    const keys = consumerKeys(email);
    const reply = await redisCall(
      this.redis.readPosition(keys.subscriptions, keys.offsets(topic.name), topic.name, topic.id, partition, logStartOffset, nextOffset, max),
    );
    const [from, to = from, resetFrom] = reply;
    if (from < 0) throw scriptError(from, { topic: topic.name, partition, email });
    return resetFrom === undefined ? { from, to } : { from, to, resetFrom };
  }

  /**
   * Moves the offset from `position.from` to `to` if no other read moved it since (compare-and-set). False
   * when one did: the caller reads again from the new offset rather than answer records twice.
   */
  async commitRead(request: PositionRequest, position: ReadPosition, to: number): Promise<boolean> {
    const { email, topic, partition, logStartOffset } = request;
    const keys = consumerKeys(email);
    const context = { topic: topic.name, partition, email };
    let outcome: number;
    try {
      outcome = await this.redis.commitRead(keys.subscriptions, keys.offsets(topic.name), topic.name, topic.id, partition, logStartOffset, position.from, to);
    } catch (err) {
      const failure = redisFailure(err, { write: true });
      if (failure.code !== 'WRITE_OUTCOME_UNKNOWN') throw failure;
      throw new TributaryError(
        'WRITE_OUTCOME_UNKNOWN',
        'Redis did not confirm the commit in time; the records of this read may be delivered again (read with the same offsets)',
        context,
        { cause: err },
      );
    }
    if (outcome < 0) throw scriptError(outcome, context);
    return outcome === 1;
  }

  /** Stores offsets (seek, commit); the caller checked each against its partition's range. */
  async setOffsets(email: string, topic: Topic, positions: readonly OffsetPosition[]): Promise<void> {
    const keys = consumerKeys(email);
    const pairs = positions.flatMap(({ partition, offset }) => [partition, offset]);
    const outcome = await redisCall(this.redis.setOffsets(keys.subscriptions, keys.offsets(topic.name), topic.name, topic.id, pairs), {
      write: true,
    });
    if (outcome < 0) throw scriptError(outcome, { topic: topic.name, email });
  }

  /** Topic name -> the topic id each subscription was made to (ended ones included: callers filter). */
  async subscriptions(email: string): Promise<Record<string, string>> {
    return redisCall(this.redis.hgetall(consumerKeys(email).subscriptions));
  }

  /** Stored offsets (partition -> offset) for each of the topics, in one round trip: one slot. */
  async storedOffsets(email: string, topicNames: readonly string[]): Promise<Array<Record<string, string>>> {
    if (topicNames.length === 0) return [];
    const keys = consumerKeys(email);
    const pipeline = this.redis.pipeline();
    for (const name of topicNames) pipeline.hgetall(keys.offsets(name));
    return (await execPipeline(pipeline)) as Array<Record<string, string>>;
  }
}
