// Consumer groups in Redis: every call on a group's keys goes through here, one method per Lua script
// (it assembles KEYS and ARGV and decodes the reply), plus the plain reads that describe a group.
//
// Redis keys (core/keys.ts), all under one group's hash tag {<group>}, so every script touches one Redis
// Cluster slot; a partition of the group is the field "<topicId>:<p>" (topic ids, not names: a re-created
// topic starts with no offsets, docs/invariants.md I4):
//   trib:group:{<g>}:meta, :members, :sessions, :owners, :positions, :offsets, :delivered, :deliveries,
//   :retry:<topicId>:<p>, :inflight:<topicId>:<p>, and the shard channel :changed
// and the group index trib:{groups}:index (its own slot), which the session sweep and GET /groups read.
//
// Where this is Kafka's group protocol: the members hash is JoinGroup's member list (member id, its
// subscription as protocol metadata, session timeout), `generation` is the generation id, groupState is
// Heartbeat, the assignment is computed (rendezvous) rather than sent by a leader in SyncGroup, leases are
// the partition ownership of the cooperative (KIP-429/KIP-848) protocols, and the offsets hash is
// OffsetCommit / OffsetFetch keyed by topic id and partition.
import { groupIndexKey, groupKeys, type GroupKeys, type PartitionRef } from '../keys.js';
import { TributaryError, type ErrorContext } from '../errors.js';
import { groupDefaults, type GroupConfig, type MemberDescription } from '../groups.js';
import { execPipeline, redisCall, type RedisClient } from './connection.js';
import type { ScriptReply } from './group-scripts.js';
import { ScriptResult, scriptError } from './result-codes.js';
import { pipelineEach } from './slots.js';

/** A partition of a group: its topic's id (storage) and name (messages). */
export interface GroupPartition extends PartitionRef {
  readonly topic: string;
}

export const partitionField = ({ topicId, partition }: PartitionRef): string => `${topicId}:${partition}`;

export function parsePartitionField(field: string): PartitionRef {
  const colon = field.lastIndexOf(':');
  return { topicId: field.slice(0, colon), partition: Number(field.slice(colon + 1)) };
}

export interface MemberRecord {
  id: string;
  description: MemberDescription;
}

export interface GroupState {
  /** Redis' clock (ms) on the group's shard. */
  now: number;
  generation: number;
  /** Partitions whose leases the member holds. */
  held: PartitionRef[];
  /** Every member, when the caller's copy was of another generation. */
  members?: MemberRecord[];
  /** The group's dead-letter topic setting (null: off), which pattern subscriptions never match. */
  deadLetterTopic: string | null;
}

export interface Claim {
  /** The member still holds the partition's lease. */
  held: boolean;
  /** Where the fetch starts: the lease's fetch position, else the committed offset; '' when neither exists. */
  start: string;
  /** Nacked records due for redelivery, now claimed for this member. */
  redeliveries: Array<{ offset: number; deliveryCount: number }>;
  /** In how many ms the partition's next redelivery is due; undefined when none waits. */
  nextDueInMs: number | undefined;
}

export interface FetchMove {
  partition: PartitionRef;
  /** The `start` claim() answered. */
  start: string;
  from: number;
  to: number;
  /** Store this as the committed offset if none is stored yet (a group that starts at the latest record). */
  pin?: number;
}

export interface Advanced {
  /** The move was made: answer the records of [from, to) but the `pending` ones. */
  moved: boolean;
  /** Offsets below this were fetched by the group before: delivered again. */
  deliveredMark: number;
  /** Offsets with a nack pending: they come back through redelivery, not here. */
  pending: Set<number>;
}

export type NackOutcome =
  | { outcome: 'retry'; deliveryCount: number; dueAt: number }
  | { outcome: 'dead_letter'; deliveryCount: number; deadLetterTemplate: string }
  | { outcome: 'dropped'; deliveryCount: number };

/** What GET /groups/:group is made of, as stored. */
export interface StoredGroup {
  now: number;
  generation: number;
  createdAt: number | undefined;
  config: GroupConfig;
  members: Array<MemberRecord & { deadline: number }>;
  owners: Map<string, string>;
  offsets: Map<string, number>;
  /** Partition field -> how many of its records wait for a redelivery or its acknowledgement. */
  nacked: Map<string, number>;
}

/** Group config fields as stored in the meta hash. */
function storedConfig(config: Partial<GroupConfig>): Array<string | number> {
  const fields: Array<string | number> = [];
  if (config.maxDeliveries !== undefined) fields.push('max_deliveries', config.maxDeliveries);
  if (config.retryDelayMs !== undefined) fields.push('retry_delay_ms', config.retryDelayMs);
  if (config.deadLetterTopic !== undefined) fields.push('dead_letter_topic', config.deadLetterTopic ?? '');
  return fields;
}

function decodeConfig(meta: Record<string, string>): GroupConfig {
  const deadLetters = meta['dead_letter_topic'];
  return {
    maxDeliveries: Number(meta['max_deliveries'] ?? groupDefaults.maxDeliveries),
    retryDelayMs: Number(meta['retry_delay_ms'] ?? groupDefaults.retryDelayMs),
    deadLetterTopic: deadLetters === undefined ? groupDefaults.deadLetterTopic : deadLetters === '' ? null : deadLetters,
  };
}

function decodeMembers(flat: string[]): MemberRecord[] {
  const members: MemberRecord[] = [];
  for (let i = 0; i < flat.length; i += 2) members.push({ id: flat[i]!, description: JSON.parse(flat[i + 1]!) as MemberDescription });
  return members;
}

/** The per-partition retry and in-flight keys a script declares, in its order. */
const nackKeys = (keys: GroupKeys, partitions: readonly PartitionRef[]) => partitions.flatMap((p) => [keys.retry(p), keys.inflight(p)]);

function fail(code: number, context: ErrorContext): never {
  throw scriptError(code, context);
}

export class GroupStore {
  constructor(readonly redis: RedisClient) {}

  // ---- membership ----

  /**
   * Adds a member (replacing a member of the same name: a restarted client fences its old self) and bumps
   * the generation. The group index learns first when its sessions may expire, so a crash between the two
   * calls never leaves a session the sweep does not know of.
   */
  async join(group: string, member: MemberRecord, config: Partial<GroupConfig> = {}): Promise<{ generation: number }> {
    const keys = groupKeys(group);
    const { name, session_timeout_ms: timeout } = member.description;
    await redisCall(this.redis.scheduleGroupSweep(groupIndexKey, group, timeout), { write: true });
    const [generation] = await redisCall(
      this.#updateMembers(keys, '0', '', member.id, name, JSON.stringify(member.description), timeout, storedConfig(config)),
      { write: true },
    );
    return { generation: generation! };
  }

  /** Removes the member at once: its leases end, its partitions go to the others. UNKNOWN_MEMBER if none. */
  async leave(group: string, member: string): Promise<{ generation: number }> {
    const [generation] = await redisCall(this.#updateMembers(groupKeys(group), '0', member, '', '', '', 0, []), { write: true });
    if (generation! < 0) fail(generation!, { group, member });
    return { generation: generation! };
  }

  /** Removes every member whose session has expired; answers the earliest deadline left (none: no members). */
  async expire(group: string): Promise<{ expired: number; earliestDeadline: number | undefined; generation: number }> {
    const [generation, expired, earliest] = await redisCall(this.#updateMembers(groupKeys(group), '1', '', '', '', '', 0, []), { write: true });
    return { generation: generation!, expired: expired!, earliestDeadline: earliest! < 0 ? undefined : earliest! };
  }

  #updateMembers(keys: GroupKeys, expire: string, remove: string, add: string, name: string, description: string, timeout: number, config: Array<string | number>) {
    return this.redis.updateMembers(keys.meta, keys.members, keys.sessions, keys.owners, keys.positions, keys.changed, expire, remove, add, name, description, timeout, config);
  }

  /** The generation, the member's leases, and every member unless the caller has this generation's list. */
  async state(group: string, member: string, knownGeneration: number, heartbeat: boolean): Promise<GroupState> {
    const keys = groupKeys(group);
    const reply = await redisCall(this.redis.groupState(keys.meta, keys.members, keys.sessions, keys.owners, member, knownGeneration, heartbeat ? '1' : '0'), {
      write: heartbeat,
    });
    const [now, generation, held, included, members, deadLetters] = reply as [number, number, string[], number, string[], string | null];
    if (now < 0) fail(now, { group, member });
    return {
      now,
      generation,
      held: held.map(parsePartitionField),
      ...(included === 1 ? { members: decodeMembers(members) } : {}),
      deadLetterTopic: decodeConfig(deadLetters === null ? {} : { dead_letter_topic: deadLetters }).deadLetterTopic,
    };
  }

  /** Releases and takes leases (see syncOwnership-5.lua); answers the partitions the member holds now. */
  async sync(group: string, member: string, generation: number, release: readonly PartitionRef[], take: readonly PartitionRef[]): Promise<PartitionRef[]> {
    const keys = groupKeys(group);
    const reply = await redisCall(
      this.redis.syncOwnership(keys.meta, keys.sessions, keys.owners, keys.positions, keys.changed, member, generation, release.length, release.map(partitionField), take.map(partitionField)),
      { write: true },
    );
    const [code, held] = reply as [number, string[]];
    if (code < 0) fail(code, { group, member });
    return held.map(parsePartitionField);
  }

  // ---- fetching ----

  /** Step one of a fetch (claimFetch.lua): where each partition starts, and the redeliveries now due. */
  async claim(group: string, member: string, partitions: readonly PartitionRef[], maxRedeliveries: number): Promise<Claim[]> {
    const keys = groupKeys(group);
    const fixed = [keys.members, keys.sessions, keys.owners, keys.positions, keys.offsets, keys.deliveries];
    const declared = [...fixed, ...nackKeys(keys, partitions)];
    const reply = await redisCall(this.redis.claimFetch(declared.length, declared, member, maxRedeliveries, partitions.map(partitionField)), { write: true });
    const [code, claims] = reply as [number, ScriptReply[][]];
    if (code < 0) fail(code, { group, member });
    return claims.map(([held, start, claimed, nextDue]) => {
      const redeliveries: Claim['redeliveries'] = [];
      const flat = (claimed ?? []) as number[];
      for (let i = 0; i < flat.length; i += 2) redeliveries.push({ offset: flat[i]!, deliveryCount: flat[i + 1]! });
      const dueIn = Number(nextDue ?? -1);
      return { held: held === 1, start: String(start ?? ''), redeliveries, nextDueInMs: dueIn < 0 ? undefined : dueIn };
    });
  }

  /** Step three of a fetch (advanceFetch-5.lua): moves the fetch positions past what was read, if unmoved. */
  async advance(group: string, member: string, moves: readonly FetchMove[]): Promise<Advanced[]> {
    if (moves.length === 0) return [];
    const keys = groupKeys(group);
    const args = moves.flatMap((move) => [partitionField(move.partition), move.start, move.from, move.to, move.pin ?? '']);
    const reply = await redisCall(this.redis.advanceFetch(keys.owners, keys.positions, keys.offsets, keys.delivered, keys.deliveries, member, args), {
      write: true,
    });
    return (reply as ScriptReply[][]).map(([moved, mark, pending]) => ({
      moved: moved === 1,
      deliveredMark: Number(mark ?? 0),
      pending: new Set((pending ?? []) as number[]),
    }));
  }

  /**
   * Commits offsets (the next to read) of partitions the member holds, all or none: NOT_PARTITION_OWNER names
   * the first it does not hold. `offset` undefined commits the member's fetch position (auto-commit).
   */
  async commit(group: string, member: string, offsets: ReadonlyArray<{ partition: GroupPartition; offset?: number }>): Promise<void> {
    if (offsets.length === 0) return;
    const keys = groupKeys(group);
    const partitions = offsets.map((o) => o.partition);
    const declared = [keys.members, keys.sessions, keys.owners, keys.positions, keys.offsets, keys.deliveries, ...nackKeys(keys, partitions)];
    const pairs = offsets.flatMap(({ partition, offset }) => [partitionField(partition), offset ?? '']);
    const [code, index] = await redisCall(this.redis.commitOffsets(declared.length, declared, member, pairs), { write: true });
    if (code! < 0) {
      const partition = code === ScriptResult.NOT_PARTITION_OWNER ? partitions[index! - 1] : undefined;
      fail(code!, { group, member, ...(partition ? { topic: partition.topic, partition: partition.partition } : {}) });
    }
  }

  /** Hands back a delivered record (nackRecord-7.lua); defaults apply where the group sets nothing. */
  async nack(group: string, member: string, partition: GroupPartition, offset: number, delayMs: number | undefined, reason: string): Promise<NackOutcome> {
    const keys = groupKeys(group);
    const reply = await redisCall(
      this.redis.nackRecord(
        keys.meta,
        keys.sessions,
        keys.owners,
        keys.positions,
        keys.deliveries,
        keys.retry(partition),
        keys.inflight(partition),
        member,
        partitionField(partition),
        offset,
        delayMs ?? '',
        reason,
        groupDefaults.maxDeliveries,
        groupDefaults.retryDelayMs,
        groupDefaults.deadLetterTopic,
      ),
      { write: true },
    );
    const [outcome, count, due, template] = reply as [number, number, number, string?];
    if (outcome < 0) fail(outcome, { group, member, topic: partition.topic, partition: partition.partition, offset });
    if (outcome === 1) return { outcome: 'retry', deliveryCount: count, dueAt: due };
    if (outcome === 2) return { outcome: 'dead_letter', deliveryCount: count, deadLetterTemplate: template! };
    return { outcome: 'dropped', deliveryCount: count };
  }

  /** Forgets the nack state of records written to the dead-letter topic, or gone from the log. */
  async settle(group: string, partition: PartitionRef, offsets: readonly number[]): Promise<void> {
    if (offsets.length === 0) return;
    const keys = groupKeys(group);
    await redisCall(this.redis.settleRecords(keys.deliveries, keys.retry(partition), keys.inflight(partition), partitionField(partition), offsets), {
      write: true,
    });
  }

  // ---- administration ----

  /** Every group the index knows (joined or configured at least once, not deleted), sorted. */
  async list(): Promise<string[]> {
    const groups = await redisCall(this.redis.zrange(groupIndexKey, 0, -1));
    return groups.sort();
  }

  /** A group's stored state, read in one round trip (one slot); undefined if there is no such group. */
  async describe(group: string): Promise<StoredGroup | undefined> {
    const keys = groupKeys(group);
    const pipeline = this.redis.pipeline();
    pipeline.time().hgetall(keys.meta).hgetall(keys.members).zrange(keys.sessions, 0, -1, 'WITHSCORES');
    pipeline.hgetall(keys.owners).hgetall(keys.offsets).hkeys(keys.deliveries);
    const [time, meta, members, sessions, owners, offsets, nacked] = (await execPipeline(pipeline)) as [
      [string, string],
      Record<string, string>,
      Record<string, string>,
      string[],
      Record<string, string>,
      Record<string, string>,
      string[],
    ];
    if (Object.keys(meta).length === 0 && Object.keys(offsets).length === 0) return undefined;
    const deadlines = new Map<string, number>();
    for (let i = 0; i < sessions.length; i += 2) deadlines.set(sessions[i]!, Number(sessions[i + 1]));
    const nackedPerPartition = new Map<string, number>();
    for (const field of nacked) {
      const partition = field.slice(0, field.lastIndexOf(':'));
      nackedPerPartition.set(partition, (nackedPerPartition.get(partition) ?? 0) + 1);
    }
    return {
      now: Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000),
      generation: Number(meta['generation'] ?? 0),
      createdAt: meta['created_at'] === undefined ? undefined : Number(meta['created_at']),
      config: decodeConfig(meta),
      members: decodeMembers(Object.entries(members).flat()).map((member) => ({ ...member, deadline: deadlines.get(member.id) ?? 0 })),
      owners: new Map(Object.entries(owners)),
      offsets: new Map(Object.entries(offsets).map(([field, offset]) => [field, Number(offset)])),
      nacked: nackedPerPartition,
    };
  }

  /** Stores settings (creating the group if new); answers the group's whole config. */
  async setConfig(group: string, config: Partial<GroupConfig>): Promise<GroupConfig> {
    const keys = groupKeys(group);
    await redisCall(this.redis.scheduleGroupSweep(groupIndexKey, group, ''), { write: true });
    const pipeline = this.redis.pipeline();
    const fields = storedConfig(config);
    pipeline.hsetnx(keys.meta, 'created_at', Date.now());
    if (fields.length > 0) pipeline.hset(keys.meta, ...fields);
    pipeline.hgetall(keys.meta);
    const replies = await execPipeline(pipeline, { write: true });
    return decodeConfig(replies.at(-1) as Record<string, string>);
  }

  /** Sets committed offsets while the group has no live members (GROUP_NOT_EMPTY otherwise). */
  async resetOffsets(group: string, offsets: ReadonlyArray<{ partition: PartitionRef; offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    const keys = groupKeys(group);
    const partitions = offsets.map((o) => o.partition);
    const declared = [keys.sessions, keys.owners, keys.positions, keys.offsets, keys.delivered, keys.deliveries, ...nackKeys(keys, partitions)];
    const pairs = offsets.flatMap(({ partition, offset }) => [partitionField(partition), offset]);
    const code = await redisCall(this.redis.resetGroupOffsets(declared.length, declared, pairs), { write: true });
    if (code < 0) fail(code, { group });
  }

  /** Deletes the group while it has no live members (GROUP_NOT_EMPTY otherwise); false if there was none. */
  async delete(group: string): Promise<boolean> {
    const keys = groupKeys(group);
    // Nack state is keyed per partition: its partitions are named by the deliveries hash. With no live member,
    // nothing adds to it between this read and the delete.
    const nacked = await redisCall(this.redis.hkeys(keys.deliveries));
    const partitions = [...new Set(nacked.map((field) => field.slice(0, field.lastIndexOf(':'))))].map(parsePartitionField);
    const declared = [keys.meta, keys.members, keys.sessions, keys.owners, keys.positions, keys.offsets, keys.delivered, keys.deliveries, ...nackKeys(keys, partitions)];
    const code = await redisCall(this.redis.deleteGroup(declared.length, declared), { write: true });
    if (code < 0) fail(code, { group });
    await redisCall(this.redis.zrem(groupIndexKey, group), { write: true });
    return code === 1;
  }

  /** Drops what every group stored about a deleted topic (its id and partition count). */
  async forgetTopic(topic: { id: string; partitions: number }): Promise<void> {
    const partitions = Array.from({ length: topic.partitions }, (_, partition) => ({ topicId: topic.id, partition }));
    const groups = await this.list();
    await pipelineEach(
      this.redis,
      groups,
      (group) => groupKeys(group).owners,
      (pipeline, group) => {
        const keys = groupKeys(group);
        const declared = [keys.owners, keys.positions, keys.offsets, keys.delivered, keys.deliveries, ...nackKeys(keys, partitions)];
        return pipeline.forgetGroupTopic(declared.length, declared, topic.id);
      },
      { write: true },
    );
  }

  // ---- the session sweep (every gateway runs one; all of it is safe to run concurrently) ----

  /** Groups some of whose sessions may have expired, with the noted time to hand back to reschedule(). */
  async dueSweeps(max: number): Promise<Array<{ group: string; noted: string }>> {
    const flat = await redisCall(this.redis.dueGroupSweeps(groupIndexKey, max));
    const due: Array<{ group: string; noted: string }> = [];
    for (let i = 0; i < flat.length; i += 2) due.push({ group: flat[i]!, noted: flat[i + 1]! });
    return due;
  }

  /** Notes the group's next check (undefined: no members), unless a join noted an earlier one meanwhile. */
  async reschedule(group: string, noted: string, next: number | undefined): Promise<void> {
    await redisCall(this.redis.rescheduleGroupSweep(groupIndexKey, group, noted, next ?? '+inf'), { write: true });
  }
}

/** The one error for a group that does not exist. */
export function groupNotFound(group: string): TributaryError {
  return new TributaryError('GROUP_NOT_FOUND', `consumer group "${group}" does not exist`, { group });
}
