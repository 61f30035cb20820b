// Group membership in a gateway that keeps none: joining, leaving, and bringing a member's leases in line
// with its assignment, which every fetch and heartbeat does.
//
// The assignment is rendezvous hashing (core/rendezvous.ts) over the group's member list in Redis and the
// topics each member subscribes to (the topic cache): every gateway computes the same one, so any gateway
// serves any member (docs/invariants.md I7). Leases make it safe while gateways disagree for a moment (a stale member
// list, a topic cache a few ms behind): a member fetches only partitions it holds, and takes one only once its
// previous holder released it or that holder's session expired (I10, syncOwnership-5.lua).
//
// Round trips per sync: groupState (the heartbeat, the member's leases, the member list if the generation
// moved), and syncOwnership only when leases must change. The member list and the computed assignment are
// cached per group, keyed by generation and topic-cache version, so a steady member costs one script.
//
// Redis keys touched (core/keys.ts): trib:group:{<g>}:meta, :members, :sessions, :owners, :positions,
// the shard channel :changed, and the group index trib:{groups}:index (join).
import { randomBytes } from 'node:crypto';
import {
  assignPartitions,
  groupDefaults,
  partitionField,
  subscribedTopics,
  topicNotFound,
  TributaryError,
  type GroupConfig,
  type GroupStore,
  type JoinBody,
  type MemberDescription,
  type MemberRecord,
  type MemberView as MemberAnswer,
  type Topic,
  type TopicCache,
  type TopicPartitions,
} from '@tributary/core';

/** A join as POST /groups/:group/members takes it (core/src/protocol/groups.ts). */
export type JoinRequest = JoinBody;

/** What a member is told after a join, fetch or heartbeat; the routes add the group's name. */
export type MemberView = Omit<MemberAnswer, 'group'>;

/** A partition a member holds, with its topic. */
export interface HeldPartition {
  topic: Topic;
  partition: number;
}

export interface Synced {
  view: MemberView;
  member: MemberRecord;
  held: HeldPartition[];
}

/** Syncs that found the generation moved under them before giving up (each is a fresh read). */
const MAX_SYNC_ATTEMPTS = 5;
/** Groups whose member list and assignment a gateway keeps. */
const CACHED_GROUPS = 10_000;

interface CachedGroup {
  generation: number;
  members: MemberRecord[];
  /** Per assignment key (topic-cache version, dead-letter setting): member id -> its partitions. */
  assignment?: { key: string; byMember: Map<string, Array<{ topic: Topic; partitions: number[] }>> };
}

export class GroupMembership {
  readonly #groups = new Map<string, CachedGroup>();
  /** Bumped on every change the topic cache sees: assignments computed before are stale. */
  #topicsVersion = 0;

  constructor(
    private readonly store: GroupStore,
    private readonly topics: TopicCache,
  ) {
    topics.onChange(() => this.#topicsVersion++);
  }

  async join(group: string, request: JoinRequest): Promise<MemberView> {
    for (const name of request.topics ?? []) if (!this.topics.get(name)) throw topicNotFound(name);
    const id = `${request.member ?? 'member'}-${randomBytes(6).toString('hex')}`;
    const description: MemberDescription = {
      name: request.member ?? id,
      session_timeout_ms: request.session_timeout_ms ?? groupDefaults.sessionTimeoutMs,
      ...(request.topics ? { topics: [...new Set(request.topics)].sort() } : { pattern: request.pattern! }),
      from: request.from ?? 'earliest',
      joined_at: Date.now(),
    };
    await this.store.join(group, { id, description }, groupConfigOf(request));
    return (await this.sync(group, id)).view;
  }

  async leave(group: string, member: string): Promise<{ member_id: string; generation: number }> {
    const { generation } = await this.store.leave(group, member);
    return { member_id: member, generation };
  }

  /**
   * The member's heartbeat: extends its session, releases the partitions no longer assigned to it and takes
   * those newly assigned that are free. UNKNOWN_MEMBER once its session has expired.
   */
  async sync(group: string, memberId: string): Promise<Synced> {
    for (let attempt = 1; attempt <= MAX_SYNC_ATTEMPTS; attempt++) {
      const cached = this.#groups.get(group);
      const state = await this.store.state(group, memberId, cached?.generation ?? -1, true);
      const entry = state.members ? this.#remember(group, state.generation, state.members) : cached!;
      const member = entry.members.find((m) => m.id === memberId);
      if (!member) {
        // The cached list is of this generation yet lacks the member: it cannot be; read it afresh.
        this.#groups.delete(group);
        continue;
      }
      const mine = this.#assignment(group, entry, state.deadLetterTopic).get(memberId) ?? [];
      const desired = mine.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topicId: topic.id, topic: topic.name, partition })));
      const wanted = new Set(desired.map(partitionField));
      const heldNow = new Set(state.held.map(partitionField));
      const release = state.held.filter((p) => !wanted.has(partitionField(p)));
      const take = desired.filter((p) => !heldNow.has(partitionField(p)));
      let held = heldNow;
      if (release.length > 0 || take.length > 0) {
        try {
          held = new Set((await this.store.sync(group, memberId, state.generation, release, take)).map(partitionField));
        } catch (err) {
          if (err instanceof TributaryError && err.code === 'REBALANCE_IN_PROGRESS') continue;
          throw err;
        }
      }
      return this.#synced(member, state.generation, mine, held);
    }
    throw new TributaryError('REBALANCE_IN_PROGRESS', undefined, { group, member: memberId });
  }

  /** Every member's partitions (for describing a group: nothing is cached). */
  assignmentOf(group: string, members: MemberRecord[], deadLetters: string | null): Map<string, Array<{ topic: Topic; partitions: number[] }>> {
    return this.#assignment(group, { generation: -1, members }, deadLetters);
  }

  #synced(member: MemberRecord, generation: number, mine: Array<{ topic: Topic; partitions: number[] }>, held: ReadonlySet<string>): Synced {
    const holding: HeldPartition[] = [];
    const pending: TopicPartitions[] = [];
    for (const { topic, partitions } of mine) {
      const waiting: number[] = [];
      for (const partition of partitions) {
        if (held.has(partitionField({ topicId: topic.id, partition }))) holding.push({ topic, partition });
        else waiting.push(partition);
      }
      if (waiting.length > 0) pending.push({ topic: topic.name, partitions: waiting });
    }
    return {
      member,
      held: holding,
      view: {
        member_id: member.id,
        generation,
        assignment: mine.map(({ topic, partitions }) => ({ topic: topic.name, partitions })),
        pending,
        heartbeat_interval_ms: Math.floor(member.description.session_timeout_ms / 3),
      },
    };
  }

  #remember(group: string, generation: number, members: MemberRecord[]): CachedGroup {
    const entry: CachedGroup = { generation, members };
    this.#groups.delete(group);
    this.#groups.set(group, entry);
    if (this.#groups.size > CACHED_GROUPS) this.#groups.delete(this.#groups.keys().next().value!);
    return entry;
  }

  /** Every member's partitions (topics sorted by name), computed once per generation and topic-cache version. */
  #assignment(group: string, entry: CachedGroup, deadLetters: string | null): Map<string, Array<{ topic: Topic; partitions: number[] }>> {
    const key = `${this.#topicsVersion}\u0000${deadLetters}`;
    if (entry.assignment?.key === key) return entry.assignment.byMember;
    const subscriptions = new Map(entry.members.map((m) => [m.id, subscribedTopics(group, m.description, this.topics, deadLetters)]));
    const byName = new Map<string, Topic>();
    for (const topics of subscriptions.values()) for (const topic of topics) byName.set(topic.name, topic);
    const topics = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    const assigned = assignPartitions(
      group,
      topics,
      entry.members.map((m) => {
        const names = new Set(subscriptions.get(m.id)!.map((topic) => topic.name));
        return { id: m.id, name: m.description.name, subscribes: (topic: string) => names.has(topic) };
      }),
    );
    const byMember = new Map(
      [...assigned].map(([id, owned]) => [
        id,
        owned.map(({ topic, partitions }) => ({ topic: byName.get(topic)!, partitions })).sort((a, b) => a.topic.name.localeCompare(b.topic.name)),
      ]),
    );
    entry.assignment = { key, byMember };
    return byMember;
  }
}

/** The group settings a join (or PUT /groups/:group/config) carries. */
export function groupConfigOf(request: Pick<JoinRequest, 'max_deliveries' | 'retry_delay_ms' | 'dead_letter_topic'>): Partial<GroupConfig> {
  return {
    ...(request.max_deliveries === undefined ? {} : { maxDeliveries: request.max_deliveries }),
    ...(request.retry_delay_ms === undefined ? {} : { retryDelayMs: request.retry_delay_ms }),
    ...(request.dead_letter_topic === undefined ? {} : { deadLetterTopic: request.dead_letter_topic }),
  };
}
