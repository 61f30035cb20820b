// Scenario 5 — read cost against partition length and offset (docs/invariants.md I3): the latency of one read of 100
// records, one request at a time, near the start of a 10^3-record partition and near the start, the middle
// and the end of a 10^6-record one. Reads do not commit, so every request reads the same range. Near the start
// is the issue's comparison; the middle is where one unsegmented Redis list would be slowest (LRANGE walks
// from the nearer end), so it is the case that shows segments at work.
import { seek, subscribe } from '../client.js';
import { summarize, type BenchContext, type SeriesSummary } from '../scenario.js';
import { ratio } from '../stats.js';
import { runWrk, type WrkResult } from '../wrk.js';
import type { PrefillResult } from './prefill.js';

export interface ReadCostCase {
  name: string;
  partitionRecords: number;
  offset: number;
  latency: SeriesSummary;
  meanMs: number;
  runs: WrkResult[];
}

export interface ReadCostResult {
  recordsPerRead: number;
  cases: ReadCostCase[];
  /** p50 near the start of the long partition ÷ p50 near the start of the short one. */
  ratio: number;
  /** The largest p50 of any long-partition case ÷ p50 of the short one. */
  worstRatio: number;
}

export async function readCost(context: BenchContext, filled: PrefillResult): Promise<ReadCostResult> {
  const { stack, settings, runId, say } = context;
  const { max, durationS } = settings.readCost;
  const long = filled.long.records;
  const definitions = [
    { name: `start of ${label(filled.short.records)}`, topic: filled.short.topic, records: filled.short.records, offset: 10 },
    { name: `start of ${label(long)}`, topic: filled.long.topic, records: long, offset: 10 },
    { name: `middle of ${label(long)}`, topic: filled.long.topic, records: long, offset: long / 2 + 10 },
    { name: `end of ${label(long)}`, topic: filled.long.topic, records: long, offset: long - 1000 + 10 },
  ];
  const cases = [];
  for (const [i, definition] of definitions.entries()) {
    const email = `cost-${i}.${runId}@bench.example`;
    await subscribe(stack.gateway.url, email, definition.topic, 'earliest');
    await seek(stack.gateway.url, email, definition.topic, 0, definition.offset);
    cases.push({ ...definition, url: `${stack.gateway.url}/read/${email}/${definition.topic}/fill-0?max=${max}&commit=false`, runs: [] as WrkResult[] });
  }
  const load = (url: string, seconds: number) => runWrk({ url, connections: 1, durationS: seconds });

  say(`read cost: warm-up ${settings.warmupS} s, then ${settings.rounds} × ${durationS} s per case, one request at a time`);
  for (const c of cases) await load(c.url, Math.ceil(settings.warmupS / cases.length));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const c of cases) c.runs.push(await load(c.url, durationS));
    say(`  round ${round}: ${cases.map((c) => `${c.name} p50 ${(c.runs.at(-1)!.latencyUs.p50 / 1000).toFixed(3)} ms`).join(', ')}`);
  }

  const results: ReadCostCase[] = cases.map((c) => ({
    name: c.name,
    partitionRecords: c.records,
    offset: c.offset,
    latency: summarize(c.runs),
    meanMs: c.runs.reduce((a, r) => a + r.latencyUs.mean, 0) / c.runs.length / 1000,
    runs: c.runs,
  }));
  const shortP50 = results[0]!.latency.p50Ms;
  return {
    recordsPerRead: max,
    cases: results,
    ratio: ratio(results[1]!.latency.p50Ms, shortP50),
    worstRatio: Math.max(...results.slice(1).map((c) => ratio(c.latency.p50Ms, shortP50))),
  };
}

function label(records: number): string {
  const exponent = Math.log10(records);
  return Number.isInteger(exponent) ? `10^${exponent}` : records.toLocaleString('en-US');
}
