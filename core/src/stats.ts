// GET /stats, on both services: cluster-wide totals and rates of records published and consumed, and what
// exists (topics, partitions, stored records, subscriptions), as an event bus's operators ask for them.
//
// Counting never touches the write or read path: ServiceMetrics counts in memory as it already does for
// /metrics, and a StatsReporter adds each process's new counts to Redis about once a second (StatsStore).
// Counts not yet added when a process dies are lost (at most a second's worth): /stats is for watching a
// cluster, /metrics and the partitions' offsets are the exact records.
//
// Answering costs O(topics + partitions) Redis reads, in one pipeline per hash slot, and is cached for a
// second per process, so clients polling it cannot multiply that cost.
import type { FastifyInstance } from 'fastify';
import { groupIndexKey, partitionKeys, topicReaderKeys } from './keys.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import { ClusterStats } from './protocol/stats.js';
import { errorResponses } from './protocol/common.js';
import { assertRedisReady, redisCall, type RedisClient } from './storage/connection.js';
import { pipelineEach } from './storage/slots.js';
import { StatsStore, type Counts } from './storage/stats-store.js';
import type { TopicCache } from './topics.js';

const REPORT_INTERVAL_MS = 1_000;
const CACHE_MS = 1_000;
/** A topic written to within this long is active. */
const ACTIVE_WITHIN_MS = 5 * 60_000;

const unixSecond = (ms: number) => Math.floor(ms / 1000);

/** Adds this process's new counts (from ServiceMetrics) to the cluster's, about once a second. */
export class StatsReporter {
  readonly #store: StatsStore;
  readonly #reported: Counts = { published: 0, consumed: 0 };
  readonly #timer: NodeJS.Timeout;
  #busy = false;

  constructor(
    redis: RedisClient,
    private readonly metrics: ServiceMetrics,
    private readonly log: Logger,
  ) {
    this.#store = new StatsStore(redis);
    this.#timer = setInterval(() => void this.report(), REPORT_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Sends what was counted since the last report; on failure it stays counted for the next one. */
  async report(): Promise<void> {
    if (this.#busy) return;
    const { published, consumed } = this.metrics.totals;
    const counts = { published: published - this.#reported.published, consumed: consumed - this.#reported.consumed };
    if (counts.published === 0 && counts.consumed === 0) return;
    this.#busy = true;
    try {
      await this.#store.add(counts, unixSecond(Date.now()));
      this.#reported.published += counts.published;
      this.#reported.consumed += counts.consumed;
    } catch (err) {
      this.log.debug({ err }, 'cluster stats not reported; they will be with the next report');
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

async function measure(redis: RedisClient, topics: TopicCache): Promise<ClusterStats> {
  assertRedisReady(redis);
  const now = Date.now();
  const live = topics.list();
  const partitions = live.flatMap((topic) => Array.from({ length: topic.partitions }, (_, partition) => partitionKeys({ topicId: topic.id, partition }).state));
  const [counts, states, readers, groups] = await Promise.all([
    new StatsStore(redis).read(unixSecond(now)),
    pipelineEach(redis, partitions, (key) => key, (pipeline, key) => pipeline.hmget(key, 'start', 'next', 'last_ts')),
    pipelineEach(redis, live, (topic) => topicReaderKeys(topic.id).emails, (pipeline, topic) => pipeline.scard(topicReaderKeys(topic.id).emails)),
    redisCall(redis.zcard(groupIndexKey)),
  ]);
  let stored = 0;
  const active = new Set<number>();
  let at = 0;
  live.forEach((topic, t) => {
    for (let p = 0; p < topic.partitions; p++) {
      const [start, next, lastTimestamp] = states[at++] as Array<string | null>;
      stored += Number(next ?? 0) - Number(start ?? 0);
      if (lastTimestamp !== null && now - Number(lastTimestamp) <= ACTIVE_WITHIN_MS) active.add(t);
    }
  });
  return {
    published_total: counts.totals.published,
    consumed_total: counts.totals.consumed,
    published_per_second: counts.perSecond.published,
    consumed_per_second: counts.perSecond.consumed,
    topics: live.length,
    active_topics: active.size,
    partitions: partitions.length,
    records_stored: stored,
    subscriptions: { emails: readers.reduce((sum: number, count) => sum + Number(count), 0), groups: groups },
    measured_at: new Date(now).toISOString(),
  };
}

/** GET /stats. Access: describe on cluster, like /metrics (it counts every topic and group). */
export function registerStatsRoute(app: FastifyInstance, { redis, topics }: { redis: RedisClient; topics: TopicCache }): void {
  let cached: { at: number; answer: Promise<ClusterStats> } | undefined;
  app.get(
    '/stats',
    {
      config: { access: { operation: 'describe', resource: () => 'cluster' } },
      schema: { response: { 200: ClusterStats, ...errorResponses } },
    },
    async () => {
      if (!cached || Date.now() - cached.at >= CACHE_MS) {
        const answer = measure(redis, topics);
        cached = { at: Date.now(), answer };
        // A failed measurement is not kept: the next request measures again.
        answer.catch(() => {
          if (cached?.answer === answer) cached = undefined;
        });
      }
      return cached.answer;
    },
  );
}
