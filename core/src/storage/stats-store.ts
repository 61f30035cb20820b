// Cluster-wide counts of records published and consumed (GET /stats). Each broker and gateway counts in
// memory and adds its counts here about once a second (core/stats.ts), never on the write or read path, so
// the totals and rates span every process while costing Redis one small pipeline per process per second.
import { statsKeys } from '../keys.js';
import { execPipeline, type RedisClient } from './connection.js';

export interface Counts {
  published: number;
  consumed: number;
}

/** How long a per-second bucket is kept: the rates look back one minute. */
const SECOND_TTL_SECONDS = 180;
/** The window rates are averaged over, in seconds. */
export const RATE_WINDOW_SECONDS = 60;

export class StatsStore {
  constructor(private readonly redis: RedisClient) {}

  /** Adds counts to the totals and to the bucket of `second` (Unix seconds); every key is in slot {stats}. */
  async add({ published, consumed }: Counts, second: number): Promise<void> {
    const bucket = statsKeys.second(second);
    const pipeline = this.redis.pipeline();
    for (const [field, count] of [['published', published], ['consumed', consumed]] as const) {
      if (count === 0) continue;
      pipeline.hincrby(statsKeys.totals, field, count).hincrby(bucket, field, count);
    }
    pipeline.expire(bucket, SECOND_TTL_SECONDS);
    await execPipeline(pipeline, { write: true });
  }

  /**
   * The totals, and the mean per second over the last RATE_WINDOW_SECONDS complete seconds before `second`
   * (the current one is still being counted).
   */
  async read(second: number): Promise<{ totals: Counts; perSecond: Counts }> {
    const pipeline = this.redis.pipeline();
    pipeline.hmget(statsKeys.totals, 'published', 'consumed');
    for (let s = second - RATE_WINDOW_SECONDS; s < second; s++) pipeline.hmget(statsKeys.second(s), 'published', 'consumed');
    const [totals, ...seconds] = (await execPipeline(pipeline)) as Array<Array<string | null>>;
    const sum = (i: number) => seconds.reduce((total, bucket) => total + Number(bucket[i] ?? 0), 0);
    return {
      totals: { published: Number(totals![0] ?? 0), consumed: Number(totals![1] ?? 0) },
      perSecond: { published: sum(0) / RATE_WINDOW_SECONDS, consumed: sum(1) / RATE_WINDOW_SECONDS },
    };
  }
}
