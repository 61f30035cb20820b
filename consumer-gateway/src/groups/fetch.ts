// The group read path: GET /groups/:group/members/:member/records, from a member's leases to records.
//
//   1. membership.ts syncs the member (heartbeat; leases released and taken as rendezvous hashing says);
//   2. with commit=auto, GroupStore.commit stores each held partition's fetch position: what the member's
//      earlier fetches answered, which it has processed if it fetches again (Kafka's auto-commit);
//   3. GroupStore.claim (claimFetch.lua) on the group's slot says where each held partition's fetch starts
//      and claims the nacked records due for redelivery, while the partitions' states are read (their slots);
//   4. the budget of records is shared fairly among the partitions (fair-share.ts), and LogStore.readRecords
//      reads them, side by side, plus each redelivered record by its offset;
//   5. GroupStore.advance (advanceFetch-5.lua) moves each fetch position past what was read, only if the
//      member still holds the lease and nothing moved it meanwhile: records of a partition the member lost are
//      not answered (docs/invariants.md I10), and two fetches of one member never answer the same records.
// The answer is at-least-once: what a member fetched and did not commit is fetched again by the partition's
// next holder. Redelivered records come first, then each partition's new ones in order; a record with a nack
// pending is skipped (it comes back as a redelivery) and does not hold up the partition.
//
// A long poll sleeps on the held partitions' `appended` channels and the group's `changed` channel (leases
// released, members joining or leaving), syncs again at the member's heartbeat interval (so waiting keeps its
// session alive), and wakes when the topic cache changes (a pattern's new topic).
//
// Redis keys touched (core/keys.ts): trib:group:{<g>}:members, :sessions, :owners, :positions, :offsets,
// :delivered, :deliveries, :retry:<topicId>:<p>, :inflight:<topicId>:<p>; trib:{<topicId>:<p>}:state and
// :seg:<base> of each held partition; the shard channels :appended and the group's :changed (waiters.ts).
import { assertRedisReady, groupKeys, messageJson, partitionKeys, replayTopicName, type ServiceMetrics, type Storage, type TopicCache } from '@tributary/core';
import { fairShares } from '../fair-share.js';
import { longPoll } from '../long-poll.js';
import { jsonBytes } from '../read.js';
import type { AppendWaiters } from '../waiters.js';
import type { GroupMembership, HeldPartition, MemberView, Synced } from './membership.js';

export interface FetchRequest {
  group: string;
  member: string;
  max: number;
  maxBytes: number;
  waitMs: number;
  /** Commit what earlier fetches answered (commit=auto). */
  autoCommit: boolean;
  signal?: AbortSignal;
}

export interface FetchResult extends MemberView {
  group: string;
  /** Each as JSON text: {topic, partition, delivery_count, offset, timestamp, key, headers, value}. */
  messages: string[];
}

/** A fetch's answer, and in how many ms its partitions' next nacked record is due (not answered). */
interface Fetched {
  result: FetchResult;
  nextDueInMs: number | undefined;
}

/** A waiting fetch reads again at least this often, whatever is due, so it never spins. */
const MIN_REREAD_MS = 10;

const ref = ({ topic, partition }: HeldPartition) => ({ topicId: topic.id, topic: topic.name, partition });

/** The fields a group message has before those of messageJson. */
const label = ({ topic, partition }: HeldPartition, deliveryCount: number) =>
  `"topic":${JSON.stringify(topic.name)},"partition":${partition},"delivery_count":${deliveryCount},`;

export class GroupFetcher {
  readonly #topicsChanged = new Set<() => void>();

  constructor(
    private readonly storage: Storage,
    private readonly membership: GroupMembership,
    private readonly waiters: AppendWaiters,
    topics: TopicCache,
    /** Counts the records delivered and their bytes, per topic. */
    private readonly metrics?: ServiceMetrics,
  ) {
    topics.onChange(() => {
      for (const wake of this.#topicsChanged) wake();
    });
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    let synced = await this.membership.sync(request.group, request.member);
    let fetched = await this.#fetchOnce(request, synced);
    if (fetched.result.messages.length > 0 || request.waitMs === 0) return fetched.result;
    const changed = groupKeys(request.group).changed;
    return longPoll(this.waiters, {
      first: fetched.result,
      channels: () => [changed, ...synced.held.map(({ topic, partition }) => partitionKeys({ topicId: topic.id, partition }).appended)],
      deadline: Date.now() + request.waitMs,
      signal: request.signal,
      // Heartbeat while waiting, and read again when a nacked record is due: nothing publishes that.
      rereadAfterMs: () => Math.max(MIN_REREAD_MS, Math.min(synced.view.heartbeat_interval_ms, fetched.nextDueInMs ?? Infinity)),
      wakeOn: (wake) => {
        this.#topicsChanged.add(wake);
        return () => this.#topicsChanged.delete(wake);
      },
      readAgain: async () => {
        synced = await this.membership.sync(request.group, request.member);
        fetched = await this.#fetchOnce(request, synced);
        return fetched.result;
      },
      join: (_earlier, later) => later,
    });
  }

  async #fetchOnce(request: FetchRequest, { view, member, held }: Synced): Promise<Fetched> {
    const answer = (messages: string[], nextDueInMs?: number): Fetched => ({ result: { group: request.group, ...view, messages }, nextDueInMs });
    if (held.length === 0) return answer([]);
    const { logs, groups, redis } = this.storage;
    assertRedisReady(redis);
    const { group } = request;
    const refs = held.map(ref);
    if (request.autoCommit) await groups.commit(group, member.id, refs.map((partition) => ({ partition })));
    const [claims, states] = await Promise.all([
      groups.claim(group, member.id, refs, request.max),
      Promise.all(held.map(({ topic, partition }) => logs.offsets(topic, partition))),
    ]);

    // Where each partition's fetch starts, and how far it could go.
    const plans = held.map((h, i) => {
      const claim = claims[i]!;
      const state = states[i]!;
      if (!claim.held || state.deleted) return undefined;
      // A replay topic is read from its first record: it holds only what was replayed for this group.
      const latest = member.description.from === 'latest' && h.topic.name !== replayTopicName(group);
      const from = claim.start === '' ? (latest ? state.nextOffset : state.logStartOffset) : Math.max(Number(claim.start), state.logStartOffset);
      // A group that starts at the latest record pins that point as its committed offset on the first fetch.
      return { ...h, start: claim.start, from, pin: claim.start === '' && latest ? from : undefined, available: state.nextOffset - from };
    });
    const redeliveries = claims.reduce((sum, claim) => sum + claim.redeliveries.length, 0);
    const shares = fairShares(
      plans.map((plan) => plan?.available ?? 0),
      Math.max(0, request.max - redeliveries),
      Math.floor(Math.random() * held.length),
    );
    const busy = shares.filter((share) => share > 0).length + redeliveries;
    const bytesEach = Math.max(1, Math.floor(request.maxBytes / Math.max(1, busy)));
    const [reads, redelivered] = await Promise.all([
      Promise.all(plans.map((plan, i) => (plan && shares[i]! > 0 ? logs.readRecords(plan.topic, plan.partition, plan.from, plan.from + shares[i]!, bytesEach) : undefined))),
      Promise.all(
        held.map((h, i) => Promise.all(claims[i]!.redeliveries.map(({ offset }) => logs.readRecords(h.topic, h.partition, offset, offset + 1, bytesEach)))),
      ),
    ]);

    const moves = plans.flatMap((plan, i) => {
      if (!plan) return [];
      const read = reads[i];
      const to = read ? read.first + read.entries.length : plan.from;
      if (to === plan.from && plan.pin === undefined) return [];
      return [{ index: i, move: { partition: ref(plan), start: plan.start, from: read?.first ?? plan.from, to, ...(plan.pin === undefined ? {} : { pin: plan.pin }) } }];
    });
    const advanced = await groups.advance(
      group,
      member.id,
      moves.map(({ move }) => move),
    );

    const messages: string[] = [];
    const perTopic = new Map<string, string[]>();
    const deliver = (h: HeldPartition, message: string) => {
      messages.push(message);
      const ofTopic = perTopic.get(h.topic.name);
      if (ofTopic) ofTopic.push(message);
      else perTopic.set(h.topic.name, [message]);
    };
    const gone: Array<Promise<void>> = [];
    held.forEach((h, i) => {
      const missing: number[] = [];
      claims[i]!.redeliveries.forEach(({ offset, deliveryCount }, j) => {
        const { first, entries } = redelivered[i]![j]!;
        if (first === offset && entries.length > 0) deliver(h, messageJson(entries[0]!, offset, label(h, deliveryCount)));
        else missing.push(offset);
      });
      // Dropped by retention before it came back: nothing left to redeliver.
      if (missing.length > 0) gone.push(groups.settle(group, ref(h), missing));
    });
    moves.forEach(({ index }, k) => {
      const result = advanced[k]!;
      const read = reads[index];
      if (!result.moved || !read) return;
      const h = held[index]!;
      read.entries.forEach((entry, j) => {
        const offset = read.first + j;
        if (!result.pending.has(offset)) deliver(h, messageJson(entry, offset, label(h, offset < result.deliveredMark ? 2 : 1)));
      });
    });
    if (this.metrics) for (const [topic, delivered] of perTopic) this.metrics.read(topic, delivered.length, jsonBytes(delivered));
    await Promise.all(gone);
    const dueIns = claims.flatMap((claim) => (claim.nextDueInMs === undefined ? [] : [claim.nextDueInMs]));
    return answer(messages, dueIns.length > 0 ? Math.min(...dueIns) : undefined);
  }
}
