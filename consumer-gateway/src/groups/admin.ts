// Looking after consumer groups: GET /groups, GET /groups/:group (members, generation, assignment, committed
// offsets, lag), PUT /groups/:group/config, POST /groups/:group/offsets (a reset, only while the group has no
// live members, as Kafka) and DELETE /groups/:group (likewise). Also which groups read a topic, for
// GET /topics/:topic/consumers.
//
// Redis keys touched (core/keys.ts): every key of trib:group:{<g>} (read; reset and delete write them),
// trib:{groups}:index, and trib:{<topicId>:<p>}:state of the group's partitions (read only).
import {
  assertRedisReady,
  checkPartition,
  groupNotFound,
  parsePartitionField,
  partitionField,
  subscribedTopics,
  TributaryError,
  type GroupConfig,
  type GroupConfigView as ConfigView,
  type GroupDescription,
  type GroupPartitionLag as PartitionLag,
  type GroupSummary,
  type PartitionOffsets,
  type Storage,
  type StoredGroup,
  type Topic,
  type TopicCache,
} from '@tributary/core';
import { checkRange } from '../offsets.js';
import { lagOf, liveOffsets, liveTopic } from '../topic-lookup.js';
import type { GroupMembership } from './membership.js';

export type OffsetReset =
  | { to: 'earliest' | 'latest'; topics?: string[] }
  | { timestamp: number; topics?: string[] }
  | { offsets: Array<{ topic: string; partition: number; offset: number }> };

const configView = (config: GroupConfig): ConfigView => ({
  max_deliveries: config.maxDeliveries,
  retry_delay_ms: config.retryDelayMs,
  dead_letter_topic: config.deadLetterTopic,
});

export class GroupAdmin {
  constructor(
    private readonly storage: Storage,
    private readonly topics: TopicCache,
    private readonly membership: GroupMembership,
  ) {}

  async list(): Promise<GroupSummary[]> {
    assertRedisReady(this.storage.redis);
    const names = await this.storage.groups.list();
    const stored = await Promise.all(names.map((group) => this.storage.groups.describe(group)));
    return names.flatMap((group, i) => {
      const found = stored[i];
      if (!found) return [];
      const members = liveMembers(found).length;
      return [{ group, generation: found.generation, members, state: members > 0 ? ('stable' as const) : ('empty' as const) }];
    });
  }

  async describe(group: string): Promise<GroupDescription> {
    assertRedisReady(this.storage.redis);
    const stored = await this.storage.groups.describe(group);
    if (!stored) throw groupNotFound(group);
    const members = liveMembers(stored);
    const assignment = this.membership.assignmentOf(group, members, stored.config.deadLetterTopic);
    const assignedTo = new Map<string, string>();
    for (const [id, owned] of assignment) {
      for (const { topic, partitions } of owned) for (const partition of partitions) assignedTo.set(partitionField({ topicId: topic.id, partition }), id);
    }
    // The group's topics: those its members read, and those it has offsets or leases for.
    const byId = new Map(this.topics.list().map((topic) => [topic.id, topic]));
    const ids = new Set([...assignedTo.keys(), ...stored.offsets.keys(), ...stored.owners.keys()].map((field) => parsePartitionField(field).topicId));
    const topics = [...ids].flatMap((id) => byId.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name));
    const states = await Promise.all(topics.map((topic) => this.storage.logs.allOffsets(topic)));
    const partitions = topics.flatMap((topic, t) =>
      states[t]!.map((state): PartitionLag => {
        const field = partitionField({ topicId: topic.id, partition: state.partition });
        const committed = stored.offsets.get(field);
        return {
          topic: topic.name,
          partition: state.partition,
          assigned_to: assignedTo.get(field) ?? null,
          holder: stored.owners.get(field) ?? null,
          committed_offset: committed ?? null,
          log_start_offset: state.logStartOffset,
          high_watermark: state.nextOffset,
          lag: lagOf(state, committed),
          nacked: stored.nacked.get(field) ?? 0,
        };
      }),
    );
    return {
      group,
      generation: stored.generation,
      created_at: stored.createdAt === undefined ? null : new Date(stored.createdAt).toISOString(),
      config: configView(stored.config),
      members: members.map(({ id, description, deadline }) => ({
        member_id: id,
        name: description.name,
        ...(description.topics ? { topics: description.topics } : { pattern: description.pattern! }),
        from: description.from,
        session_timeout_ms: description.session_timeout_ms,
        expires_in_ms: deadline - stored.now,
        joined_at: new Date(description.joined_at).toISOString(),
        assignment: (assignment.get(id) ?? []).map(({ topic, partitions: owned }) => ({ topic: topic.name, partitions: owned })),
      })),
      partitions,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
    };
  }

  async configure(group: string, config: Partial<GroupConfig>): Promise<{ group: string; config: ConfigView }> {
    assertRedisReady(this.storage.redis);
    return { group, config: configView(await this.storage.groups.setConfig(group, config)) };
  }

  /** Sets the committed offsets, while the group has no live member (GROUP_NOT_EMPTY otherwise). */
  async resetOffsets(group: string, reset: OffsetReset): Promise<{ group: string; offsets: Array<{ topic: string; partition: number; offset: number }> }> {
    assertRedisReady(this.storage.redis);
    const offsets = 'offsets' in reset ? await this.#exactOffsets(reset.offsets) : await this.#offsetsFor(group, reset);
    // Registers a group reset before it ever had members, so GET /groups lists it.
    await this.storage.groups.setConfig(group, {});
    await this.storage.groups.resetOffsets(
      group,
      offsets.map(({ topic, partition, offset }) => ({ partition: { topicId: topic.id, partition }, offset })),
    );
    return { group, offsets: offsets.map(({ topic, partition, offset }) => ({ topic: topic.name, partition, offset })) };
  }

  async delete(group: string): Promise<{ group: string; deleted: true }> {
    assertRedisReady(this.storage.redis);
    if (!(await this.storage.groups.delete(group))) throw groupNotFound(group);
    return { group, deleted: true };
  }

  /** The groups that read `topic` (a member subscribes to it, or the group has offsets for it), with their lag. */
  async readersOf(topic: Topic, states: readonly PartitionOffsets[]): Promise<Array<{ group: string; members: number; lag: number }>> {
    const names = await this.storage.groups.list();
    const stored = await Promise.all(names.map((group) => this.storage.groups.describe(group)));
    return names.flatMap((group, i) => {
      const found = stored[i];
      if (!found) return [];
      const members = liveMembers(found).filter(({ description }) =>
        subscribedTopics(group, description, this.topics, found.config.deadLetterTopic).some((t) => t.id === topic.id),
      );
      const committed = states.map((state) => found.offsets.get(partitionField({ topicId: topic.id, partition: state.partition })));
      if (members.length === 0 && committed.every((offset) => offset === undefined)) return [];
      return [{ group, members: members.length, lag: states.reduce((sum, state, p) => sum + lagOf(state, committed[p]), 0) }];
    });
  }

  async #exactOffsets(offsets: Array<{ topic: string; partition: number; offset: number }>) {
    return Promise.all(
      offsets.map(async ({ topic: name, partition, offset }) => {
        const topic = liveTopic(this.topics, name);
        checkPartition(topic, partition);
        const state = (await liveOffsets(this.storage.logs, topic))[partition]!;
        checkRange(topic, state, offset);
        return { topic, partition, offset };
      }),
    );
  }

  async #offsetsFor(group: string, reset: Exclude<OffsetReset, { offsets: unknown }>) {
    const topics = reset.topics ? reset.topics.map((name) => liveTopic(this.topics, name)) : await this.#committedTopics(group);
    if (topics.length === 0) {
      throw new TributaryError('INVALID_REQUEST', `group "${group}" has no committed offsets: name the topics to reset ("topics": [...])`);
    }
    const perTopic = await Promise.all(
      topics.map(async (topic) => {
        const states = await liveOffsets(this.storage.logs, topic);
        return Promise.all(
          states.map(async (state) => {
            const offset =
              'timestamp' in reset
                ? await this.storage.logs.offsetForTime(topic, state, reset.timestamp)
                : reset.to === 'earliest'
                  ? state.logStartOffset
                  : state.nextOffset;
            return { topic, partition: state.partition, offset };
          }),
        );
      }),
    );
    return perTopic.flat();
  }

  async #committedTopics(group: string): Promise<Topic[]> {
    const stored = await this.storage.groups.describe(group);
    if (!stored) throw groupNotFound(group);
    const ids = new Set([...stored.offsets.keys()].map((field) => parsePartitionField(field).topicId));
    return this.topics.list().filter((topic) => ids.has(topic.id));
  }
}

function liveMembers(group: StoredGroup): StoredGroup['members'] {
  return group.members.filter((member) => member.deadline >= group.now);
}
