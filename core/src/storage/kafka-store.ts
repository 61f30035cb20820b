// What the Kafka listener (broker/src/kafka) keeps in Redis beyond the partition logs: producer ids for
// idempotent producers, and Kafka consumer groups (membership, generations, the leader's assignments,
// committed offsets), one script per step (core/lua/kafkaGroup-7.lua). Record appends go through LogStore
// like every other write.
//
// Redis keys (core/keys.ts):
//   trib:{cluster}:kafka-producer-ids   string  the last producer id handed out
//   trib:{<topicId>:<p>}:producer:<id>:<epoch>  string  a producer's next sequence on a partition (checkSequence-1.lua)
//   trib:kgroup:{<g>}:state, :members, :sessions, :joined, :assignments, :offsets, and the shard channel :changed
//   trib:{kgroups}:index                set     every Kafka group that ever had a member
import type { Result } from 'ioredis';
import { clusterKeys, kafkaGroupIndexKey, kafkaGroupKeys, partitionKeys, type PartitionRef } from '../keys.js';
import { execPipeline, redisCall, type RedisClient } from './connection.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    kafkaGroup(...keysAndArgs: Array<string | number>): Result<unknown[], Context>;
    checkSequence(producer: string, baseSequence: number, count: number, windowMs: number): Result<number, Context>;
  }
}

/** A member as JoinGroup describes it. */
export interface KafkaMember {
  client_id: string;
  client_host: string;
  session_timeout: number;
  rebalance_timeout: number;
  /** [protocol name, base64 metadata] in the member's order of preference. */
  protocols: Array<[string, string]>;
}

/** A Kafka error code the group step answered (0: none). */
export type GroupError = { error: number };
/** Not yet: ask again within `waitMs` (or when the group's channel fires). */
export type NotYet = { waitMs: number };

export interface JoinResult {
  generation: number;
  protocol: string;
  leader: string;
  memberId: string;
  /** Every member with its metadata for the chosen protocol: for the leader only. */
  members: Array<{ memberId: string; metadata: Buffer }>;
}

export interface KafkaGroupDescription {
  phase: string;
  generation: number;
  protocolType: string;
  protocol: string;
  members: Array<KafkaMember & { memberId: string; assignment: Buffer }>;
}

type Step = 'join' | 'await' | 'sync' | 'heartbeat' | 'leave' | 'commit' | 'delete';

export class KafkaStore {
  constructor(readonly redis: RedisClient) {}

  /**
   * A producer id no producer has had before (InitProducerId). Ids come from one counter, so every broker
   * hands out distinct ones; a producer's sequence numbers become record ids under its id (see
   * broker/src/kafka/produce.ts), which the partition's dedup state checks.
   */
  async nextProducerId(): Promise<number> {
    return redisCall(this.redis.incr(clusterKeys.kafkaProducerIds), { write: true });
  }

  /**
   * Kafka's sequence rule for an idempotent producer's batch (core/lua/checkSequence-1.lua): answers the next
   * sequence expected before this batch (-1: the producer is not remembered), and moves it past the batch
   * unless the batch leaves a gap.
   */
  async checkSequence(partition: PartitionRef, producer: { id: number; epoch: number }, baseSequence: number, count: number, windowMs: number): Promise<number> {
    const key = partitionKeys(partition).producer(producer.id, producer.epoch);
    return redisCall(this.redis.checkSequence(key, baseSequence, count, windowMs), { write: true });
  }

  /** The shard channel a group's changes are published on. */
  groupChannel(group: string): string {
    return kafkaGroupKeys(group).changed;
  }

  async #step(group: string, step: Step, member: string, args: Array<string | number> = []): Promise<unknown[]> {
    const k = kafkaGroupKeys(group);
    return redisCall(this.redis.kafkaGroup(k.state, k.members, k.sessions, k.joined, k.assignments, k.offsets, k.changed, step, member, ...args), {
      write: step !== 'await',
    });
  }

  /** Joins (a new member when `memberId` is ''), starting a rebalance; answers the member id. */
  async join(group: string, memberId: string, newMemberId: string, protocolType: string, member: KafkaMember): Promise<GroupError | { memberId: string }> {
    await redisCall(this.redis.sadd(kafkaGroupIndexKey, group), { write: true });
    const [error, id] = await this.#step(group, 'join', memberId, [newMemberId, protocolType, JSON.stringify(member)]);
    return error === 0 ? { memberId: String(id) } : { error: Number(error) };
  }

  /** Whether the rebalance the member joined has completed, and what it gave. */
  async awaitJoin(group: string, memberId: string): Promise<GroupError | NotYet | JoinResult> {
    const reply = await this.#step(group, 'await', memberId);
    const [code] = reply as [number];
    if (code === -1) return { waitMs: Number(reply[1]) };
    if (code !== 0) return { error: code };
    const [, generation, protocol, leader, id, flat] = reply as [number, number, string, string, string, string[]];
    const members: JoinResult['members'] = [];
    for (let i = 0; i < flat.length; i += 2) members.push({ memberId: flat[i]!, metadata: Buffer.from(flat[i + 1]!, 'base64') });
    return { generation, protocol, leader, memberId: id, members };
  }

  /** The leader hands in the assignments; every member gets its own once the leader has. */
  async sync(group: string, memberId: string, generation: number, assignments: ReadonlyArray<{ memberId: string; assignment: Buffer }>): Promise<GroupError | NotYet | { assignment: Buffer }> {
    const pairs = assignments.flatMap((a) => [a.memberId, a.assignment.toString('base64')]);
    const reply = await this.#step(group, 'sync', memberId, [generation, ...pairs]);
    if (reply[0] === -1) return { waitMs: Number(reply[1]) };
    if (reply[0] !== 0) return { error: Number(reply[0]) };
    return { assignment: Buffer.from(String(reply[1]), 'base64') };
  }

  async heartbeat(group: string, memberId: string, generation: number): Promise<number> {
    return Number((await this.#step(group, 'heartbeat', memberId, [generation]))[0]);
  }

  async leave(group: string, memberId: string): Promise<number> {
    return Number((await this.#step(group, 'leave', memberId))[0]);
  }

  /** Commits offsets (fields "<topicId>:<p>", core/keys.ts) for a member of the current generation. */
  async commit(group: string, memberId: string, generation: number, offsets: ReadonlyArray<{ field: string; offset: number }>): Promise<number> {
    if (offsets.length === 0) return 0;
    return Number((await this.#step(group, 'commit', memberId, [generation, ...offsets.flatMap((o) => [o.field, o.offset])]))[0]);
  }

  /** Committed offsets of the given fields (undefined: none committed). */
  async offsets(group: string, fields: readonly string[]): Promise<Array<number | undefined>> {
    if (fields.length === 0) return [];
    const values = await redisCall(this.redis.hmget(kafkaGroupKeys(group).offsets, ...fields));
    return values.map((v) => (v === null ? undefined : Number(v)));
  }

  /** Every committed offset of the group, by field. */
  async allOffsets(group: string): Promise<Map<string, number>> {
    const all = await redisCall(this.redis.hgetall(kafkaGroupKeys(group).offsets));
    return new Map(Object.entries(all).map(([field, offset]) => [field, Number(offset)]));
  }

  /**
   * Deletes a group without members, its committed offsets included (68 NON_EMPTY_GROUP, 69
   * GROUP_ID_NOT_FOUND otherwise), then takes it off the index.
   */
  async deleteGroup(group: string): Promise<number> {
    const error = Number((await this.#step(group, 'delete', ''))[0]);
    if (error === 0) await redisCall(this.redis.srem(kafkaGroupIndexKey, group), { write: true });
    return error;
  }

  async listGroups(): Promise<string[]> {
    return (await redisCall(this.redis.smembers(kafkaGroupIndexKey))).sort();
  }

  /** A group as DescribeGroups shows it, in one round trip; undefined if it never had a member. */
  async describe(group: string): Promise<KafkaGroupDescription | undefined> {
    const k = kafkaGroupKeys(group);
    const pipeline = this.redis.pipeline().hgetall(k.state).hgetall(k.members).hgetall(k.assignments);
    const [state, members, assignments] = (await execPipeline(pipeline)) as Array<Record<string, string>>;
    if (!state || Object.keys(state).length === 0) return undefined;
    return {
      phase: state['phase'] ?? 'empty',
      generation: Number(state['generation'] ?? 0),
      protocolType: state['protocol_type'] ?? '',
      protocol: state['protocol'] ?? '',
      members: Object.entries(members ?? {}).map(([memberId, json]) => ({
        memberId,
        ...(JSON.parse(json) as KafkaMember),
        assignment: Buffer.from(assignments?.[memberId] ?? '', 'base64'),
      })),
    };
  }
}
