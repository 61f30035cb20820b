// Kafka consumer groups: every broker is the coordinator of every group (FindCoordinator names the broker
// asked), since the group's state lives in Redis (KafkaStore, core/lua/kafkaGroup-7.lua) and any broker can
// take any step of it. Kafka's protocol is kept as it is: the members' client-side assignor (the leader's
// SyncGroup) decides who reads what, the broker only runs the membership and generation protocol and stores
// committed offsets.
//
// Kafka groups and the HTTP groups (/groups/..., rendezvous assignment with partition leases) are separate
// namespaces: a Kafka group "g" and an HTTP group "g" are different groups. They cannot be one group without
// one side's members taking part in the other side's assignment protocol, which neither client speaks.
//
// JoinGroup and SyncGroup wait, as in Kafka, for the rest of the group: the request sleeps on the group's
// shard channel (AppendWaiters) and asks Redis again when it fires, or at least every second (a rebalance
// completes at its deadline without a publish).
//
// Redis keys: trib:kgroup:{<g>}:* and trib:{kgroups}:index (core/keys.ts), through KafkaStore.
import { randomUUID } from 'node:crypto';
import { GROUP_NAME_PATTERN, groupDefaults, type AppendWaiters, type KafkaStore, type TopicCache } from '@tributary/core';
import {
  KafkaError,
  type DeleteGroups,
  type DescribeGroups,
  type FindCoordinator,
  type Heartbeat,
  type JoinGroup,
  type LeaveGroup,
  type ListGroups,
  type OffsetCommit,
  type OffsetFetch,
  type RequestOf,
  type ResponseOf,
  type SyncGroup,
} from '@tributary/kafka';
import { kafkaErrorCode } from './errors.js';
import type { RequestContext } from './handlers.js';
import { NODE_ID, type Advertised } from './metadata.js';
import { groupResource, topicResource, type KafkaAccess, type Session } from './sasl.js';

const groupName = new RegExp(GROUP_NAME_PATTERN);
const MAX_SESSION_TIMEOUT_MS = 30 * 60 * 1000;
/** A waiting JoinGroup or SyncGroup asks Redis again at least this often. */
const REPOLL_MS = 1_000;
/** The longest JoinGroup or SyncGroup waits, whatever the timeouts say. */
const MAX_GROUP_WAIT_MS = 5 * 60 * 1000;

export interface GroupDeps {
  store: KafkaStore;
  waiters: AppendWaiters;
  topics: TopicCache;
  advertised: () => Advertised;
  access: KafkaAccess;
}

export function groupHandlers({ store, waiters, topics, advertised, access }: GroupDeps) {
  /** A group id the protocol may carry into Redis keys, that the principal may act on: else the error to answer. */
  const refusal = (session: Session, group: string, operation: 'consume' | 'describe' | 'admin'): number | undefined => {
    if (!groupName.test(group)) return KafkaError.INVALID_GROUP_ID;
    if (!access.allowed(session, operation, groupResource(group))) return KafkaError.GROUP_AUTHORIZATION_FAILED;
    return undefined;
  };

  /** Runs `poll` until it answers, sleeping on the group's channel in between. */
  const waitFor = async <T>(group: string, maxMs: number, signal: AbortSignal, poll: () => Promise<T | { waitMs: number }>): Promise<T | undefined> => {
    const end = Date.now() + Math.min(maxMs, MAX_GROUP_WAIT_MS);
    for (;;) {
      const waiter = await waiters.wait(store.groupChannel(group), Math.min(end, Date.now() + REPOLL_MS), signal);
      try {
        const result = await poll();
        if (!(typeof result === 'object' && result !== null && 'waitMs' in result)) return result;
        if (Date.now() >= end || signal.aborted) return undefined;
        await waiter.changed();
      } finally {
        waiter.release();
      }
    }
  };

  const fieldOf = (topicName: string, partition: number): string | undefined => {
    const topic = topics.get(topicName);
    return topic && partition >= 0 && partition < topic.partitions ? `${topic.id}:${partition}` : undefined;
  };

  const findCoordinator = (request: RequestOf<typeof FindCoordinator>, { session }: RequestContext): ResponseOf<typeof FindCoordinator> => {
    const { host, port } = advertised();
    // Key type 0 names a group; transactional ids (1) are not served, and need no check to be answered.
    const denied = request.keyType === 0 && !access.allowed(session, 'describe', groupResource(request.key));
    if (denied) return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, errorMessage: null, nodeId: -1, host: '', port: -1 };
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, nodeId: NODE_ID, host, port };
  };

  const joinGroup = async (request: RequestOf<typeof JoinGroup>, { signal, clientId, session }: RequestContext): Promise<ResponseOf<typeof JoinGroup>> => {
    const fail = (errorCode: number, memberId = request.memberId) => ({
      throttleTimeMs: 0,
      errorCode,
      generationId: -1,
      protocolName: '',
      leader: '',
      memberId,
      members: [],
    });
    const refused = refusal(session, request.groupId, 'consume');
    if (refused !== undefined) return fail(refused);
    const timeout = request.sessionTimeoutMs;
    if (timeout < groupDefaults.minSessionTimeoutMs || timeout > MAX_SESSION_TIMEOUT_MS) return fail(KafkaError.INVALID_SESSION_TIMEOUT);
    if (request.protocols.length === 0) return fail(KafkaError.INCONSISTENT_GROUP_PROTOCOL);
    const rebalance = request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : timeout;
    try {
      const joined = await store.join(request.groupId, request.memberId, `${clientId ?? 'member'}-${randomUUID()}`, request.protocolType, {
        client_id: clientId ?? '',
        client_host: '',
        session_timeout: timeout,
        rebalance_timeout: rebalance,
        protocols: request.protocols.map((p) => [p.name, p.metadata.toString('base64')]),
      });
      if ('error' in joined) return fail(joined.error);
      const result = await waitFor(request.groupId, rebalance + REPOLL_MS, signal, () => store.awaitJoin(request.groupId, joined.memberId));
      if (result === undefined) return fail(KafkaError.REBALANCE_IN_PROGRESS, joined.memberId);
      if ('error' in result) return fail(result.error, joined.memberId);
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError.NONE,
        generationId: result.generation,
        protocolName: result.protocol,
        leader: result.leader,
        memberId: result.memberId,
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, metadata: m.metadata })),
      };
    } catch (err) {
      return fail(kafkaErrorCode(err));
    }
  };

  const syncGroup = async (request: RequestOf<typeof SyncGroup>, { signal, session }: RequestContext): Promise<ResponseOf<typeof SyncGroup>> => {
    const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) });
    const refused = refusal(session, request.groupId, 'consume');
    if (refused !== undefined) return fail(refused);
    try {
      const result = await waitFor(request.groupId, MAX_GROUP_WAIT_MS, signal, () => store.sync(request.groupId, request.memberId, request.generationId, request.assignments));
      if (result === undefined) return fail(KafkaError.REBALANCE_IN_PROGRESS);
      if ('error' in result) return fail(result.error);
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, assignment: result.assignment };
    } catch (err) {
      return fail(kafkaErrorCode(err));
    }
  };

  const heartbeat = async (request: RequestOf<typeof Heartbeat>, { session }: RequestContext): Promise<ResponseOf<typeof Heartbeat>> => {
    const refused = refusal(session, request.groupId, 'consume');
    if (refused !== undefined) return { throttleTimeMs: 0, errorCode: refused };
    try {
      return { throttleTimeMs: 0, errorCode: await store.heartbeat(request.groupId, request.memberId, request.generationId) };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCode(err) };
    }
  };

  const leaveGroup = async (request: RequestOf<typeof LeaveGroup>, { version, session }: RequestContext): Promise<ResponseOf<typeof LeaveGroup>> => {
    const leaving = version >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null }];
    const refused = refusal(session, request.groupId, 'consume');
    if (refused !== undefined) return { throttleTimeMs: 0, errorCode: refused, members: [] };
    const members = await Promise.all(
      leaving.map(async ({ memberId, groupInstanceId }) => {
        try {
          return { memberId, groupInstanceId, errorCode: await store.leave(request.groupId, memberId) };
        } catch (err) {
          return { memberId, groupInstanceId, errorCode: kafkaErrorCode(err) };
        }
      }),
    );
    // v0-2 answer for their one member at the top level; v3 per member.
    return { throttleTimeMs: 0, errorCode: version >= 3 ? KafkaError.NONE : members[0]!.errorCode, members };
  };

  const offsetCommit = async (request: RequestOf<typeof OffsetCommit>, { session }: RequestContext): Promise<ResponseOf<typeof OffsetCommit>> => {
    const answer = (code: (topic: string, partition: number) => number): ResponseOf<typeof OffsetCommit> => ({
      throttleTimeMs: 0,
      topics: request.topics.map(({ name, partitions }) => ({
        name,
        partitions: partitions.map(({ partitionIndex }) => ({ partitionIndex, errorCode: code(name, partitionIndex) })),
      })),
    });
    const refused = refusal(session, request.groupId, 'consume');
    if (refused !== undefined) return answer(() => refused);
    const readable = (name: string) => access.allowed(session, 'consume', topicResource(name));
    const offsets = request.topics.flatMap(({ name, partitions }) =>
      partitions.flatMap(({ partitionIndex, committedOffset }) => {
        const field = readable(name) ? fieldOf(name, partitionIndex) : undefined;
        return field ? [{ field, offset: committedOffset }] : [];
      }),
    );
    let errorCode: number;
    try {
      errorCode = await store.commit(request.groupId, request.memberId, request.generationId, offsets);
    } catch (err) {
      errorCode = kafkaErrorCode(err);
    }
    return answer((name, partition) =>
      !readable(name) ? KafkaError.TOPIC_AUTHORIZATION_FAILED : fieldOf(name, partition) ? errorCode : KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
    );
  };

  const offsetFetch = async (request: RequestOf<typeof OffsetFetch>, { session }: RequestContext): Promise<ResponseOf<typeof OffsetFetch>> => {
    const refused = refusal(session, request.groupId, 'describe');
    if (refused !== undefined) return { throttleTimeMs: 0, topics: [], errorCode: refused };
    const visible = (name: string) => access.allowed(session, 'describe', topicResource(name));
    try {
      let wanted = request.topics;
      if (wanted === null) {
        // Every partition the group has committed, named by the topics that still exist.
        const byId = new Map(topics.list().map((t) => [t.id, t.name]));
        const committed = new Map<string, number[]>();
        for (const field of (await store.allOffsets(request.groupId)).keys()) {
          const colon = field.lastIndexOf(':');
          const name = byId.get(field.slice(0, colon));
          if (name && visible(name)) committed.set(name, [...(committed.get(name) ?? []), Number(field.slice(colon + 1))]);
        }
        wanted = [...committed].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
      }
      const fields = wanted.flatMap(({ name, partitionIndexes }) => partitionIndexes.map((p) => fieldOf(name, p) ?? ''));
      const offsets = await store.offsets(request.groupId, fields.filter((f) => f !== ''));
      let next = 0;
      const answered = wanted.map(({ name, partitionIndexes }) => ({
        name,
        partitions: partitionIndexes.map((partitionIndex) => {
          const known = fieldOf(name, partitionIndex) !== undefined;
          const offset = known ? offsets[next++] : undefined;
          const errorCode = !visible(name) ? KafkaError.TOPIC_AUTHORIZATION_FAILED : known ? KafkaError.NONE : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
          return { partitionIndex, committedOffset: errorCode === KafkaError.NONE ? (offset ?? -1) : -1, committedLeaderEpoch: -1, metadata: '', errorCode };
        }),
      }));
      return { throttleTimeMs: 0, topics: answered, errorCode: KafkaError.NONE };
    } catch (err) {
      return { throttleTimeMs: 0, topics: [], errorCode: kafkaErrorCode(err) };
    }
  };

  const listGroups = async (_request: RequestOf<typeof ListGroups>, { session }: RequestContext): Promise<ResponseOf<typeof ListGroups>> => {
    try {
      const groups = (await store.listGroups()).filter((group) => access.allowed(session, 'describe', groupResource(group)));
      const described = await Promise.all(groups.map((group) => store.describe(group)));
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError.NONE,
        groups: groups.map((groupId, i) => ({ groupId, protocolType: described[i]?.protocolType ?? '' })),
      };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCode(err), groups: [] };
    }
  };

  const PHASE_NAMES: Record<string, string> = { empty: 'Empty', joining: 'PreparingRebalance', syncing: 'CompletingRebalance', stable: 'Stable' };

  const describeGroups = async (request: RequestOf<typeof DescribeGroups>, { session }: RequestContext): Promise<ResponseOf<typeof DescribeGroups>> => ({
    throttleTimeMs: 0,
    groups: await Promise.all(
      request.groups.map(async (groupId) => {
        const none = { errorCode: KafkaError.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
        const refused = refusal(session, groupId, 'describe');
        if (refused !== undefined) return { ...none, errorCode: refused };
        try {
          const group = await store.describe(groupId);
          if (!group) return none;
          return {
            ...none,
            groupState: PHASE_NAMES[group.phase] ?? 'Dead',
            protocolType: group.protocolType,
            protocolData: group.phase === 'stable' ? group.protocol : '',
            members: group.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: null,
              clientId: m.client_id,
              clientHost: m.client_host,
              memberMetadata: Buffer.from(m.protocols.find(([name]) => name === group.protocol)?.[1] ?? '', 'base64'),
              memberAssignment: m.assignment,
            })),
          };
        } catch (err) {
          return { ...none, errorCode: kafkaErrorCode(err) };
        }
      }),
    ),
  });

  const deleteGroups = async (request: RequestOf<typeof DeleteGroups>, { session }: RequestContext): Promise<ResponseOf<typeof DeleteGroups>> => ({
    throttleTimeMs: 0,
    results: await Promise.all(
      request.groupsNames.map(async (groupId) => {
        const refused = refusal(session, groupId, 'admin');
        if (refused !== undefined) return { groupId, errorCode: refused };
        try {
          return { groupId, errorCode: await store.deleteGroup(groupId) };
        } catch (err) {
          return { groupId, errorCode: kafkaErrorCode(err) };
        }
      }),
    ),
  });

  return { findCoordinator, joinGroup, syncGroup, heartbeat, leaveGroup, offsetCommit, offsetFetch, listGroups, describeGroups, deleteGroups };
}
