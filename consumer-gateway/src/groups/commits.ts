// Commits of a group member: POST /groups/:group/members/:member/commit {"offsets": [{topic, partition,
// offset}]}, each offset the next to read (Kafka's convention). Each is checked against its partition's valid
// range, then all are stored by one script that refuses them all unless the member holds every partition's
// lease now (409 NOT_PARTITION_OWNER: a stale member cannot move the offsets of a partition that moved on,
// docs/invariants.md I10). A commit never moves an offset back; it acknowledges the redelivered records below it.
//
// Redis keys touched (core/keys.ts): trib:group:{<g>}:members, :sessions, :owners, :positions, :offsets,
// :deliveries, :retry:<topicId>:<p>, :inflight:<topicId>:<p>; trib:{<topicId>:<p>}:state (read only).
import { assertRedisReady, checkPartition, topicNotFound, type Storage, type TopicCache } from '@tributary/core';
import { checkRange } from '../offsets.js';
import { liveTopic } from '../topic-lookup.js';

export interface GroupOffset {
  topic: string;
  partition: number;
  offset: number;
}

export class GroupCommits {
  constructor(
    private readonly storage: Storage,
    private readonly topics: TopicCache,
  ) {}

  async commit(group: string, member: string, offsets: readonly GroupOffset[]): Promise<GroupOffset[]> {
    const resolved = offsets.map((o) => {
      const topic = liveTopic(this.topics, o.topic);
      checkPartition(topic, o.partition);
      return { ...o, topic };
    });
    assertRedisReady(this.storage.redis);
    const states = await Promise.all(resolved.map(({ topic, partition }) => this.storage.logs.offsets(topic, partition)));
    resolved.forEach(({ topic, offset }, i) => {
      if (states[i]!.deleted) throw topicNotFound(topic.name);
      checkRange(topic, states[i]!, offset);
    });
    await this.storage.groups.commit(
      group,
      member,
      resolved.map(({ topic, partition, offset }) => ({ partition: { topicId: topic.id, topic: topic.name, partition }, offset })),
    );
    return offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
  }
}
