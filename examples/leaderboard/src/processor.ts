// The leaderboard processor: one member of a consumer group on the game-events topic. Run two or more and
// they share the topic's partitions; kill one and the others take its partitions over once its session
// expires. Each batch is applied to Redis (idempotently, see store.ts) and only then committed, so a crash
// between the two redelivers the batch to the partition's next holder, which counts none of it twice.
//
//   BROKER_URL GATEWAY_URL REDIS_URL KEY_PREFIX TOPIC PARTITIONS GROUP MEMBER SESSION_TIMEOUT_MS BATCH
//   COMMIT_INTERVAL_MS DEDUP_TTL_S
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { integer, isMain, retrying, run, text, Tributary, TributaryError, type GroupMessage } from '@tributary/example-kit';
import { endpoints } from './env.js';
import { parseEvent } from './events.js';
import { LeaderboardStore, type Delivery } from './store.js';

export interface ProcessorOptions {
  tributary: Tributary;
  store: LeaderboardStore;
  topic: string;
  group: string;
  /** The member name: a processor restarted under its name gets its partitions back at once. */
  member: string;
  sessionTimeoutMs: number;
  /** Records per fetch. */
  batch: number;
  /**
   * 0: commit after every batch. More: commit at most this often (and whenever the member has caught up),
   * as Kafka's auto.commit.interval.ms: fewer commits, more records delivered again after a crash.
   */
  commitIntervalMs?: number;
  /** How long an applied event's id is remembered; a redelivery later than that would count again. */
  dedupTtlSeconds: number;
  log: (line: string) => void;
}

export interface Processor {
  /** Leaves the group (its partitions move at once) and resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ends; rejects if it fails for good (a 4xx retrying cannot fix). */
  done: Promise<void>;
}

export function startProcessor(options: ProcessorOptions): Processor {
  let stopped = false;
  const done = processLoop(options, () => stopped);
  return {
    async stop() {
      stopped = true;
      await done;
    },
    done,
  };
}

async function processLoop(options: ProcessorOptions, stopped: () => boolean): Promise<void> {
  const { tributary, store, topic, group, member, log, commitIntervalMs = 0 } = options;
  let memberId: string | undefined;
  let backoff = 100;
  /** Applied and not yet committed: the next offset per partition. */
  let pending = new Map<string, PartitionOffset>();
  let lastCommit = Date.now();
  const commitPending = async (id: string) => {
    const offsets = [...pending.values()];
    pending = new Map();
    lastCommit = Date.now();
    if (offsets.length > 0) await commit(tributary, group, id, offsets, log);
  };
  while (!stopped()) {
    try {
      if (memberId === undefined) {
        const view = await tributary.join(group, { topics: [topic], member, session_timeout_ms: options.sessionTimeoutMs, from: 'earliest' });
        memberId = view.member_id;
        log(`joined ${group} as ${memberId}`);
      }
      // A waiting fetch keeps the session alive; it waits well under the session timeout.
      const { messages } = await tributary.fetch(group, memberId, options.batch, Math.min(1_000, options.sessionTimeoutMs / 4));
      if (messages.length > 0) {
        const deliveries = messages.map(deliveryOf);
        await applyUntilDone(options, deliveries, stopped);
        for (const next of committable(messages)) pending.set(`${next.topic}/${next.partition}`, next);
      }
      if (messages.length === 0 || Date.now() - lastCommit >= commitIntervalMs) await commitPending(memberId);
      backoff = 100;
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'UNKNOWN_MEMBER') {
        // The session expired (a long pause) or another process took the name: join again. Whatever was
        // fetched and not committed goes to the partitions' holders again, and the dedup keys absorb it.
        log(`no longer a member of ${group} (${err.message}): joining again`);
        memberId = undefined;
        pending = new Map();
        continue;
      }
      if (err instanceof TributaryError && !err.retriable) throw err;
      if (stopped()) break;
      log(`will retry: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }
  if (memberId !== undefined) {
    await commitPending(memberId).catch((err: unknown) => log(`could not commit before leaving: ${(err as Error).message}`));
    await tributary.leave(group, memberId).catch((err: unknown) => log(`could not leave ${group}: ${(err as Error).message}`));
    log(`left ${group}`);
  }
}

function deliveryOf(message: GroupMessage): Delivery {
  const event = parseEvent(message.value);
  return typeof event === 'string' ? { invalid: event, position: `${message.topic}/${message.partition}/${message.offset}` } : { event };
}

/** Redis may be briefly away: the batch is applied again until it is (applying twice is harmless). */
async function applyUntilDone({ store, member, dedupTtlSeconds, log }: ProcessorOptions, deliveries: Delivery[], stopped: () => boolean): Promise<void> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await store.apply(deliveries, member, dedupTtlSeconds);
      return;
    } catch (err) {
      // Not committed: the partition's next holder gets the batch again.
      if (stopped()) throw err;
      log(`could not apply to Redis, retrying: ${(err as Error).message}`);
      await sleep(delay);
    }
  }
}

interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** The offset to commit per partition: the next one after the last record handled, as in Kafka. */
function committable(messages: GroupMessage[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  for (const { topic, partition, offset } of messages) {
    const key = `${topic}/${partition}`;
    const seen = next.get(key);
    if (seen === undefined || seen.offset < offset + 1) next.set(key, { topic, partition, offset: offset + 1 });
  }
  return [...next.values()];
}

/**
 * A commit is all or nothing: if one partition moved to another member meanwhile, the commit is refused
 * whole. Commit again what the member still holds, or those partitions would keep their last records
 * uncommitted (counted, but shown as lag) until more arrive.
 */
async function commit(tributary: Tributary, group: string, memberId: string, offsets: PartitionOffset[], log: (line: string) => void): Promise<void> {
  try {
    await retrying(() => tributary.commit(group, memberId, offsets), (err) => log(`commit failed, retrying: ${(err as Error).message}`));
  } catch (err) {
    if (!(err instanceof TributaryError && err.code === 'NOT_PARTITION_OWNER')) throw err;
    const { assignment } = await tributary.heartbeat(group, memberId);
    const held = new Set(assignment.flatMap(({ topic, partitions }) => partitions.map((partition) => `${topic}/${partition}`)));
    const still = offsets.filter(({ topic, partition }) => held.has(`${topic}/${partition}`));
    log(`partitions moved before the commit; committing the ${still.length} still held`);
    if (still.length > 0) await tributary.commit(group, memberId, still);
  }
}

if (isMain(import.meta.url)) {
  run('processor', async () => {
    const { brokerUrl, gatewayUrl, apiKey, redisUrl, keyPrefix, topic } = endpoints();
    const member = text('MEMBER', `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '-'));
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} processor ${member}: ${line}\n`);
    const tributary = new Tributary(brokerUrl, gatewayUrl, apiKey);
    const store = new LeaderboardStore(redisUrl, keyPrefix);
    await store.connect();
    const partitions = integer('PARTITIONS', 8, 1, 1024);
    await retrying(() => tributary.ensureTopic(topic, partitions), (err) => log(`waiting for the broker: ${(err as Error).message}`));
    const processor = startProcessor({
      tributary,
      store,
      topic,
      group: text('GROUP', 'leaderboard'),
      member,
      sessionTimeoutMs: integer('SESSION_TIMEOUT_MS', 10_000, 1_000, 300_000),
      batch: integer('BATCH', 500, 1, 10_000),
      commitIntervalMs: integer('COMMIT_INTERVAL_MS', 0, 0, 3_600_000),
      dedupTtlSeconds: integer('DEDUP_TTL_S', 86_400, 1, 365 * 86_400),
      log,
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void processor.stop());
    try {
      await processor.done;
    } finally {
      store.close();
    }
  });
}
