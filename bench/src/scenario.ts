// What every scenario gets: the stack under test, the run's settings, and somewhere to say what it does.
import type { BenchStack } from './stack.js';
import { median, max } from './stats.js';
import type { WrkResult } from './wrk.js';

export interface Settings {
  mode: 'quick' | 'full';
  /** Seconds of load before each measured series, not counted. */
  warmupS: number;
  /** Seconds of one measured wrk run. */
  measureS: number;
  /** Measured runs per series; figures are medians over them (the machine is shared and noisy). */
  rounds: number;
  /** batchSeries: connection counts of the batches-of-1,000 scenario (6), with and without ids. */
  connections: { singleWrite: number; batchWrite: number; read: number; batchSeries: readonly number[] };
  batchPartitions: number;
  batchSizes: readonly number[];
  /** Records in the long partition (read throughput, read cost) and the short one (read cost). */
  longPartition: number;
  shortPartition: number;
  /** Records per batch when filling partitions (the broker's maximum). */
  fillBatch: number;
  redisBenchmarkRequests: number;
  /** End-to-end: each rate in records/s is one series (the producer sends what is due every millisecond). */
  e2e: { rates: readonly number[]; warmupS: number; measureS: number };
  readCost: { durationS: number; max: number };
  /** Idle seconds after the last scenario before memory is sampled once more: what the services settle to. */
  settleS: number;
}

const fullSettings: Settings = {
  mode: 'full',
  warmupS: 3,
  measureS: 8,
  rounds: 3,
  connections: { singleWrite: 32, batchWrite: 8, read: 8, batchSeries: [1, 8] },
  batchPartitions: 4,
  batchSizes: [100, 1000],
  longPartition: 1_000_000,
  shortPartition: 1_000,
  fillBatch: 10_000,
  redisBenchmarkRequests: 2_000_000,
  e2e: { rates: [1000, 20_000], warmupS: 2, measureS: 20 },
  readCost: { durationS: 4, max: 100 },
  settleS: 30,
};

/** --quick: the same scenarios, shorter and on a 10^5-record partition, in about two minutes (the demo and the idle wait before the last memory sample take most). */
const quickSettings: Settings = {
  ...fullSettings,
  mode: 'quick',
  warmupS: 1,
  measureS: 2,
  rounds: 1,
  longPartition: 100_000,
  redisBenchmarkRequests: 300_000,
  e2e: { rates: [1000, 20_000], warmupS: 1, measureS: 3 },
  readCost: { durationS: 1, max: 100 },
  settleS: 30,
};

export const settingsFor = (mode: 'quick' | 'full'): Settings => (mode === 'full' ? fullSettings : quickSettings);

export interface BenchContext {
  stack: BenchStack;
  settings: Settings;
  /** Unique per run: topic names and emails carry it, so runs never collide on a shared server. */
  runId: string;
  say(line: string): void;
}

/** CPU seconds each process used during one measured run. */
export interface CpuUse {
  broker?: number;
  gateway?: number;
  baseline?: number;
  xadd?: number;
  nats?: number;
  redis?: number;
}

const PROCESSES = ['broker', 'gateway', 'baseline', 'xadd', 'nats', 'redis'] as const;

/** Runs `load` and adds the CPU time the services and Redis spent meanwhile: a machine-independent cost. */
export async function withCpu<T extends object>(stack: BenchStack, load: () => Promise<T>): Promise<T & { cpu: CpuUse }> {
  const sample = async (): Promise<CpuUse> => ({
    broker: stack.broker.cpuSeconds(),
    gateway: stack.gateway.cpuSeconds(),
    baseline: stack.baseline.cpuSeconds(),
    xadd: stack.xadd.cpuSeconds(),
    nats: stack.nats?.cpuSeconds(),
    redis: await stack.redisCpuSeconds().catch(() => undefined),
  });
  const before = await sample();
  const result = await load();
  const after = await sample();
  const cpu: CpuUse = {};
  for (const name of PROCESSES) {
    const a = after[name];
    const b = before[name];
    if (a !== undefined && b !== undefined && Number.isFinite(a - b)) cpu[name] = a - b;
  }
  return { ...result, cpu };
}

/** CPU microseconds per unit of work (request or record), over all runs; undefined where not measured. */
export function cpuPer(runs: ReadonlyArray<{ cpu: CpuUse }>, units: number, process: keyof CpuUse): number | undefined {
  const seconds = runs.map((r) => r.cpu[process]);
  if (units <= 0 || seconds.some((s) => s === undefined)) return undefined;
  return ((seconds as number[]).reduce((a, b) => a + b, 0) * 1e6) / units;
}

/** Medians over a series of wrk runs. */
export interface SeriesSummary {
  /** Successful (2xx) requests per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx responses plus socket errors and timeouts, over all runs: should be 0. */
  failures: number;
}

export function summarize(runs: readonly WrkResult[]): SeriesSummary {
  return {
    perSecond: median(runs.map((r) => r.okPerSecond)),
    p50Ms: median(runs.map((r) => r.latencyUs.p50 / 1000)),
    p99Ms: median(runs.map((r) => r.latencyUs.p99 / 1000)),
    maxMs: max(runs.map((r) => r.latencyUs.max / 1000)),
    failures: runs.reduce((n, r) => n + r.errors.status + r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout, 0),
  };
}
