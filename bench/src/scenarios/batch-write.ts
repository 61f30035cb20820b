// Scenario 2 — batch writes of 100 and 1,000 records per request, saturating, in records/s, against Redis'
// own pipelined RPUSH throughput on the same server (redis-benchmark -P 32, entries of the stored size).
// Keys user-0 … user-<n-1> spread each batch over the topic's partitions as a real producer's keys would.
import { createTopic } from '../client.js';
import { batchBody, storedEntry } from '../records.js';
import { haveRedisBenchmark, runRedisBenchmark, type RedisBenchmarkResult } from '../redis-benchmark.js';
import { cpuPer, summarize, withCpu, type BenchContext, type CpuUse, type SeriesSummary } from '../scenario.js';
import { median, ratio } from '../stats.js';
import { runWrk, type WrkResult } from '../wrk.js';

export interface BatchSizeResult {
  recordsPerRequest: number;
  bodyBytes: number;
  /** Requests: per second, latency. */
  requests: SeriesSummary;
  recordsPerSecond: number;
  /** records/s ÷ Redis RPUSH ops/s. */
  ratio: number;
  /** CPU microseconds per record written, the broker's and Redis'. */
  cpuUsPerRecord: { broker?: number | undefined; redis?: number | undefined };
  runs: Run[];
}

type Run = WrkResult & { cpu: CpuUse };

export interface BatchWriteResult {
  connections: number;
  topicPartitions: number;
  /** Median RPUSH/s of redis-benchmark; undefined when redis-benchmark is not installed. */
  redisRpushPerSecond: number | undefined;
  redisRuns: Array<RedisBenchmarkResult & { cpu: CpuUse }>;
  /** Redis CPU microseconds per RPUSH in the baseline. */
  redisCpuUsPerRpush: number | undefined;
  entryBytes: number;
  sizes: BatchSizeResult[];
}

export async function batchWrite({ stack, settings, runId, say }: BenchContext): Promise<BatchWriteResult> {
  const topic = `bench-batch-${runId}`;
  const partitions = settings.batchPartitions;
  await createTopic(stack.broker.url, topic, partitions);
  const connections = settings.connections.batchWrite;
  const bodies = new Map(settings.batchSizes.map((size) => [size, batchBody(size, 'user')]));
  const load = (size: number, durationS: number) =>
    withCpu(stack, () => runWrk({ url: `${stack.broker.url}/write/${topic}`, method: 'POST', body: bodies.get(size)!, connections, durationS }));

  const entry = storedEntry('user-1');
  const rpushKey = `trib-bench:{${runId}}:rpush-baseline`;
  const canBaseline = haveRedisBenchmark();
  if (!canBaseline) say('redis-benchmark is not installed (Debian package redis-tools): the batch baseline is not measured');
  const baseline = async () => {
    const result = await withCpu(stack, () => runRedisBenchmark({
      host: stack.redis.host,
      port: stack.redis.port,
      key: rpushKey,
      entry,
      requests: settings.redisBenchmarkRequests,
      pipeline: 32,
      clients: 50,
    }));
    // DEL, not UNLINK: freeing the list in Redis' background thread would overlap the next measurement.
    await stack.redisClient.del(rpushKey);
    return result;
  };

  say(`batch write: warm-up ${settings.warmupS} s per size`);
  for (const size of settings.batchSizes) await load(size, settings.warmupS);

  const redisRuns: BatchWriteResult['redisRuns'] = [];
  const runs = new Map(settings.batchSizes.map((size) => [size, [] as Run[]]));
  for (let round = 1; round <= settings.rounds; round++) {
    if (canBaseline) redisRuns.push(await baseline());
    for (const size of settings.batchSizes) runs.get(size)!.push(await load(size, settings.measureS));
    say(
      `  round ${round}: ` +
        [
          canBaseline ? `redis RPUSH ${Math.round(redisRuns.at(-1)!.opsPerSecond)}/s` : undefined,
          ...settings.batchSizes.map((size) => `batch ${size}: ${Math.round(runs.get(size)!.at(-1)!.okPerSecond * size)} records/s`),
        ]
          .filter(Boolean)
          .join(', '),
    );
  }

  const redisRpushPerSecond = canBaseline ? median(redisRuns.map((r) => r.opsPerSecond)) : undefined;
  return {
    connections,
    topicPartitions: partitions,
    redisRpushPerSecond,
    redisRuns,
    redisCpuUsPerRpush: canBaseline ? cpuPer(redisRuns, redisRuns.reduce((n, r) => n + r.requests, 0), 'redis') : undefined,
    entryBytes: Buffer.byteLength(entry),
    sizes: settings.batchSizes.map((size) => {
      const requests = summarize(runs.get(size)!);
      const recordsPerSecond = requests.perSecond * size;
      const records = runs.get(size)!.reduce((n, r) => n + r.ok * size, 0);
      return {
        recordsPerRequest: size,
        bodyBytes: Buffer.byteLength(bodies.get(size)!),
        requests,
        recordsPerSecond,
        ratio: ratio(recordsPerSecond, redisRpushPerSecond),
        cpuUsPerRecord: { broker: cpuPer(runs.get(size)!, records, 'broker'), redis: cpuPer(runs.get(size)!, records, 'redis') },
        runs: runs.get(size)!,
      };
    }),
  };
}
