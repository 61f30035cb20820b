// The analytics consumer group: run one or more aggregators and they share the telemetry topic's partitions.
// Each fetched batch is applied to Redis (idempotently, store.ts) and only then committed, so a crash between
// the two redelivers the batch to the partition's next holder, which counts none of it twice.
//
//   node dist/aggregator.js      TOPIC GROUP MEMBER SESSION_TIMEOUT_MS BATCH DEDUP_TTL_S REDIS_URL KEY_PREFIX
//                                BROKER_URL GATEWAY_URL TRIBUTARY_API_KEY
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { integer, isMain, isRetriable, run, text, TributaryError, tributaryFromEnv, type GroupMessage, type Tributary } from '@tributary/example-kit';
import { settingsFromEnv } from './env.js';
import { parseEvent, type TelemetryEvent } from './events.js';
import { AnalyticsStore } from './store.js';

export interface AggregatorOptions {
  tributary: Tributary;
  store: AnalyticsStore;
  topic: string;
  group: string;
  /** The member name: an aggregator restarted under its name gets its partitions back at once. */
  member: string;
  sessionTimeoutMs?: number;
  /** Records per fetch. */
  batch?: number;
  log?: (line: string) => void;
}

export interface Aggregator {
  /** Leaves the group (its partitions move at once) and resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ends; rejects if it fails for good (an error retrying cannot fix). */
  done: Promise<void>;
}

export function startAggregator(options: AggregatorOptions): Aggregator {
  let stopped = false;
  const done = aggregate(options, () => stopped);
  return {
    async stop() {
      stopped = true;
      await done;
    },
    done,
  };
}

async function aggregate(options: AggregatorOptions, stopped: () => boolean): Promise<void> {
  const { tributary, store, topic, group, member } = options;
  const log = options.log ?? (() => {});
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  let memberId: string | undefined;
  let backoff = 100;
  while (!stopped()) {
    try {
      if (memberId === undefined) {
        ({ member_id: memberId } = await tributary.join(group, { topics: [topic], member, session_timeout_ms: sessionTimeoutMs, from: 'earliest' }));
        log(`joined ${group} as ${memberId}`);
      }
      // A waiting fetch keeps the session alive; it waits well under the session timeout.
      const { messages } = await tributary.fetch(group, memberId, options.batch ?? 500, Math.min(1_000, sessionTimeoutMs / 4));
      if (messages.length > 0) {
        const events = messages.map((message) => parseEvent(message.value)).filter((event): event is TelemetryEvent => event !== undefined);
        if (events.length < messages.length) log(`skipped ${messages.length - events.length} records that are not telemetry events`);
        await store.apply(events);
        await commit(tributary, group, memberId, messages, log);
      }
      backoff = 100;
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'UNKNOWN_MEMBER') {
        // The session expired (a long pause) or another process took the name: join again. What was fetched
        // and not committed goes to the partitions' holders again, and the seen ids absorb it.
        log(`no longer a member of ${group}: joining again`);
        memberId = undefined;
        continue;
      }
      // The topic not there yet (an aggregator started before the simulator created it) is worth waiting for.
      const waitable = isRetriable(err) || (err instanceof TributaryError && err.code === 'TOPIC_NOT_FOUND');
      if (!waitable && !isRedisTrouble(err)) throw err;
      if (stopped()) break;
      log(`will retry: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }
  if (memberId !== undefined) await tributary.leave(group, memberId).catch(() => undefined);
}

/** Commits past every fetched record, per partition. */
async function commit(tributary: Tributary, group: string, memberId: string, messages: GroupMessage[], log: (line: string) => void): Promise<void> {
  const next = new Map<string, { topic: string; partition: number; offset: number }>();
  for (const { topic, partition, offset } of messages) {
    const key = `${topic}/${partition}`;
    if ((next.get(key)?.offset ?? -1) < offset + 1) next.set(key, { topic, partition, offset: offset + 1 });
  }
  try {
    await tributary.commit(group, memberId, [...next.values()]);
  } catch (err) {
    // The partition moved meanwhile: its new holder fetches from the last commit and the seen ids skip what
    // was applied here. Nothing is lost, so go on.
    if (err instanceof TributaryError && err.code === 'NOT_PARTITION_OWNER') {
      log(`commit refused, partitions moved: ${err.message}`);
      return;
    }
    throw err;
  }
}

/** Redis unreachable or timing out: worth retrying, the batch is applied whole or not at all. */
function isRedisTrouble(err: unknown): boolean {
  return err instanceof Error && /ECONNREFUSED|ETIMEDOUT|Connection is closed|max retries|ECONNRESET/i.test(err.message);
}

if (isMain(import.meta.url)) {
  run('aggregator', async () => {
    const settings = settingsFromEnv();
    const store = AnalyticsStore.connect(settings.redisUrl, settings.keyPrefix, integer('DEDUP_TTL_S', 7 * 86_400, 60, 365 * 86_400));
    const aggregator = startAggregator({
      tributary: tributaryFromEnv(),
      store,
      topic: settings.topic,
      group: settings.group,
      member: text('MEMBER', `aggregator-${hostname()}-${process.pid}`),
      sessionTimeoutMs: integer('SESSION_TIMEOUT_MS', 10_000, 1_000, 300_000),
      batch: integer('BATCH', 500, 1, 10_000),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const stop = () => void aggregator.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await aggregator.done;
    } finally {
      store.close();
    }
  });
}
