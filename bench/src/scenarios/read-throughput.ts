// Scenario 3 — read throughput: GET /read with max=1000 over the pre-filled long partition, saturating.
// Reads commit (the default), as a consumer's do: 32 consumers, each subscribed from the earliest record,
// are read in turn, so every request claims and returns the next 1,000 records of one of them. Records read
// are counted from the consumers' committed offsets, not assumed from request counts.
import { committedOffset, subscribe } from '../client.js';
import { cpuPer, summarize, withCpu, type BenchContext, type CpuUse, type SeriesSummary } from '../scenario.js';
import { median } from '../stats.js';
import { runWrk, type WrkResult } from '../wrk.js';
import type { PrefillResult } from './prefill.js';

const CONSUMERS = 32;
const MAX = 1000;

export interface ReadThroughputResult {
  connections: number;
  consumers: number;
  max: number;
  partitionRecords: number;
  requests: SeriesSummary;
  /** Median over rounds of (committed offsets moved) / seconds. */
  recordsPerSecond: number;
  /** A consumer reached the end of the partition: later reads returned fewer records; the figure is a floor. */
  exhausted: boolean;
  /** CPU microseconds per record read, the gateway's and Redis'. */
  cpuUsPerRecord: { gateway?: number | undefined; redis?: number | undefined };
  runs: Array<WrkResult & { records: number; cpu: CpuUse }>;
}

export async function readThroughput(context: BenchContext, filled: PrefillResult): Promise<ReadThroughputResult> {
  const { stack, settings, runId, say } = context;
  const { topic, records: partitionRecords } = filled.long;
  const emails = Array.from({ length: CONSUMERS }, (_, i) => `reader-${i}.${runId}@bench.example`);
  for (const email of emails) await subscribe(stack.gateway.url, email, topic, 'earliest');
  const paths = emails.map((email) => `/read/${email}/${topic}/fill-0?max=${MAX}`);
  const connections = settings.connections.read;
  const load = (durationS: number) => runWrk({ url: `${stack.gateway.url}/`, paths, connections, durationS });
  const consumed = async () => {
    const offsets = await Promise.all(emails.map((email) => committedOffset(stack.gateway.url, email, topic, 0)));
    return { total: offsets.reduce((a, b) => a + b, 0), exhausted: offsets.some((o) => o >= partitionRecords) };
  };

  say(`read throughput: warm-up ${settings.warmupS} s`);
  await load(settings.warmupS);
  const runs: ReadThroughputResult['runs'] = [];
  let exhausted = false;
  for (let round = 1; round <= settings.rounds; round++) {
    const before = await consumed();
    const run = await withCpu(stack, () => load(settings.measureS));
    const after = await consumed();
    exhausted ||= after.exhausted;
    runs.push({ ...run, records: after.total - before.total });
    say(`  round ${round}: ${Math.round((after.total - before.total) / run.durationS)} records/s (${Math.round(run.okPerSecond)} reads/s)`);
  }
  return {
    connections,
    consumers: CONSUMERS,
    max: MAX,
    partitionRecords,
    requests: summarize(runs),
    recordsPerSecond: median(runs.map((r) => r.records / r.durationS)),
    exhausted,
    cpuUsPerRecord: {
      gateway: cpuPer(runs, runs.reduce((n, r) => n + r.records, 0), 'gateway'),
      redis: cpuPer(runs, runs.reduce((n, r) => n + r.records, 0), 'redis'),
    },
    runs,
  };
}
