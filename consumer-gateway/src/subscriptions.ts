// Subscriptions: which topics a consumer (an email) reads. They live in Redis under the consumer's own hash
// tag, never in ZooKeeper: there may be millions. Each stores the id of the topic it was made to and counts
// only while that is the topic's current id, so deleting a topic ends its subscriptions and re-creating it
// revives none of their offsets (docs/invariants.md I4).
//
// Redis keys touched (core/keys.ts):
//   trib:consumer:{<email>}:subscriptions, trib:consumer:{<email>}:offsets:<topic>
//   trib:{<topicId>:<p>}:state (read only: starting offsets for from=latest, and lag)
import { assertRedisReady, type Storage, type Subscription, type TopicCache } from '@tributary/core';
import { liveOffsets, liveTopic } from './topic-lookup.js';

export type StartFrom = 'earliest' | 'latest';

/** A subscription as GET /subscriptions/:email answers it (core/src/protocol/reads.ts). */
export type SubscriptionDescription = Subscription;

export class Subscriptions {
  constructor(
    private readonly storage: Storage,
    private readonly topics: TopicCache,
  ) {}

  /** Returns whether the subscription is new; an existing one is left as it is, offsets included. */
  async subscribe(email: string, topicName: string, from: StartFrom): Promise<boolean> {
    const { logs, consumers, redis } = this.storage;
    const topic = liveTopic(this.topics, topicName);
    assertRedisReady(redis);
    // From the earliest record needs no stored offsets: a missing offset means the log start.
    const startOffsets =
      from === 'latest' ? (await liveOffsets(logs, topic)).map((p) => ({ partition: p.partition, offset: p.nextOffset })) : [];
    return (await consumers.subscribe(email, topic, startOffsets)) !== 'existing';
  }

  /** Works whatever became of the topic: only the consumer's own keys are consulted. */
  async unsubscribe(email: string, topicName: string): Promise<void> {
    assertRedisReady(this.storage.redis);
    await this.storage.consumers.unsubscribe(email, topicName);
  }

  /** The consumer's live subscriptions (ended ones, to deleted topics, are left out), sorted by topic. */
  async list(email: string): Promise<SubscriptionDescription[]> {
    const { logs, consumers, redis } = this.storage;
    assertRedisReady(redis);
    const subscribed = await consumers.subscriptions(email);
    const live = Object.entries(subscribed)
      .flatMap(([name, id]) => {
        const topic = this.topics.get(name);
        return topic?.id === id ? [topic] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name));

    const [offsetReplies, partitions] = await Promise.all([
      consumers.storedOffsets(email, live.map((topic) => topic.name)),
      Promise.all(live.map((topic) => logs.allOffsets(topic))),
    ]);

    return live.flatMap((topic, i) => {
      const stored = offsetReplies[i]!;
      const states = partitions[i]!;
      // Deleted meanwhile: the topic cache has not caught up yet.
      if (states.some((p) => p.deleted)) return [];
      const positions = states.map(({ partition, logStartOffset, nextOffset }) => {
        // No stored offset means the log start; one that retention passed will be moved there on the next read.
        const committed = Math.max(logStartOffset, Number(stored[partition] ?? logStartOffset));
        return {
          partition,
          committed_offset: committed,
          log_start_offset: logStartOffset,
          high_watermark: nextOffset,
          lag: nextOffset - committed,
        };
      });
      const lag = positions.reduce((sum, position) => sum + position.lag, 0);
      return [{ topic: topic.name, topic_id: topic.id, lag, partitions: positions }];
    });
  }
}
