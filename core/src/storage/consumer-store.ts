// Consumers in Redis: every call on a consumer's keys goes through here, one method per Lua script.
//
// Redis keys (core/keys.ts), all under one consumer's hash tag {<email>}, so every call touches one Redis
// Cluster slot (a consumer and the partitions it reads are on different slots: no script spans both):
//   trib:consumer:{<email>}:subscriptions     hash  topic name -> id of the topic it subscribed to
//   trib:consumer:{<email>}:offsets:<topic>   hash  partition -> next offset to read (missing: log start)
import { consumerKeys } from '../keys.js';
import type { Topic } from '../topics.js';
import { redisCall, execPipeline, redisFailure, type RedisClient } from './connection.js';
import { scriptError } from './result-codes.js';
import { TributaryError } from '../errors.js';

export interface OffsetPosition {
  partition: number;
  offset: number;
}

export type SubscribeOutcome = 'subscribed' | 'resubscribed' | 'existing';

/** Offsets [from, to) of one partition, claimed for one read. */
export interface Claim {
  from: number;
  to: number;
  /** The stored offset had fallen below the log start (retention) and was moved up to `from`. */
  resetFrom?: number;
}

export interface ClaimRequest {
  email: string;
  topic: Topic;
  partition: number;
  /** The partition's log start and next offset, read just before (another slot: the script cannot). */
  logStartOffset: number;
  nextOffset: number;
  max: number;
  /** Store `to` as the consumer's offset in the same step (auto-commit). */
  commit: boolean;
}

const SUBSCRIBE_OUTCOMES: Record<number, SubscribeOutcome> = { 0: 'existing', 1: 'subscribed', 2: 'resubscribed' };

export class ConsumerStore {
  constructor(readonly redis: RedisClient) {}

  /** Subscribes `email` to the topic's current id; a stale subscription (older id) is replaced, offsets too. */
  async subscribe(email: string, topic: Topic, startOffsets: readonly OffsetPosition[]): Promise<SubscribeOutcome> {
    const keys = consumerKeys(email);
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
    if (outcome < 0) throw scriptError(outcome, { topic: topicName, email });
  }

  /**
   * Picks the offsets a read returns and, with commit, stores the new offset in the same atomic step, so
   * concurrent reads of one consumer claim disjoint ranges. NOT_SUBSCRIBED unless subscribed to this id.
   */
  async claim({ email, topic, partition, logStartOffset, nextOffset, max, commit }: ClaimRequest): Promise<Claim> {
    const keys = consumerKeys(email);
    const context = { topic: topic.name, partition, email };
    let reply: [number, number?, number?];
    try {
      reply = await this.redis.claimRecords(
        keys.subscriptions,
        keys.offsets(topic.name),
        topic.name,
        topic.id,
        partition,
        logStartOffset,
        nextOffset,
        max,
        commit ? 1 : 0,
      );
    } catch (err) {
      const failure = redisFailure(err, { write: commit });
      if (failure.code !== 'WRITE_OUTCOME_UNKNOWN') throw failure;
      throw new TributaryError(
        'WRITE_OUTCOME_UNKNOWN',
        'Redis did not answer in time; the offset may have moved past records this read did not return',
        context,
        { cause: err },
      );
    }
    const [from, to = from, resetFrom] = reply;
    if (from < 0) throw scriptError(from, context);
    return resetFrom === undefined ? { from, to } : { from, to, resetFrom };
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
