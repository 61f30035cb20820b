// Results as JSON (everything measured, every run), as Markdown (bench/results/<date>-<host>.md) and as a
// summary table on the terminal. Ratios are against baselines measured in the same run; targets are
// reported, never asserted.
import type { MachineFacts, MemorySample } from './machine.js';
import type { Settings } from './scenario.js';
import { demoMarkdown, demoSummary, demoTarget } from './report-demo.js';
import type { BatchWriteResult } from './scenarios/batch-write.js';
import type { DemoResult } from './scenarios/demo.js';
import type { EndToEndResult } from './scenarios/end-to-end.js';
import type { HostileBodiesResult } from './scenarios/hostile-bodies.js';
import type { BatchSeries, IdempotentWriteResult } from './scenarios/idempotent-write.js';
import type { PrefillResult } from './scenarios/prefill.js';
import type { ReadCostResult } from './scenarios/read-cost.js';
import type { ReadThroughputResult } from './scenarios/read-throughput.js';
import type { SingleWriteResult } from './scenarios/single-write.js';

export interface MemoryRow {
  after: string;
  /** Sampled after the services sat idle a while, not right after a scenario. */
  settled?: true;
  broker?: MemorySample;
  gateway?: MemorySample;
  redisMb?: number;
}

export interface Results {
  /** 2: end-to-end is a list of rates, the ids scenario a list of series, single writes have peers. */
  format: 2;
  date: string;
  mode: Settings['mode'];
  settings: Settings;
  machine: MachineFacts;
  stack: {
    redis: string;
    redisPersistence: string;
    externalRedis: boolean;
    externalZooKeeper: boolean;
    loadGenerator: string;
    /** nats-server --version, when JetStream was measured. */
    nats?: string;
    /** Broker processes behind the broker's port (1 unless --brokers). */
    brokerProcesses?: number;
  };
  scenarios: {
    singleWrite?: SingleWriteResult;
    batchWrite?: BatchWriteResult;
    prefill?: PrefillResult;
    readThroughput?: ReadThroughputResult;
    endToEnd?: EndToEndResult[];
    readCost?: ReadCostResult;
    idempotentWrite?: IdempotentWriteResult;
    hostileBodies?: HostileBodiesResult;
    demo?: DemoResult;
  };
  memory: MemoryRow[];
  /** Scenarios that were skipped or failed, and why. */
  notMeasured: string[];
  durationS: number;
  /** A previous results file to compare with (--before), e.g. the run before a fix. */
  before?: { file: string; date: string; gitCommit: string | undefined; headlines: Headline[] };
  /** Markdown appended under "Profiling and changes" (--notes). */
  notes?: string;
}

export interface Headline {
  metric: string;
  value: number;
  unit: string;
  /** Higher is better (throughput), or lower (latency, memory). */
  better: 'higher' | 'lower';
}

export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | undefined;
}

// ---- figures -------------------------------------------------------------------------------------------

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a');
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const us = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} µs` : 'n/a');
const mb = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${x.toFixed(1)} MB` : 'n/a');

const afterScenarios = (results: Results) => results.memory.filter((row) => !row.settled);

export function maxBrokerRss(results: Results): number | undefined {
  const values = afterScenarios(results).map((row) => row.broker?.rssMb).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

function maxBrokerPeak(results: Results): number | undefined {
  const values = afterScenarios(results).map((row) => row.broker?.peakMb).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

function maxGatewayRss(results: Results): number | undefined {
  const values = afterScenarios(results).map((row) => row.gateway?.rssMb).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

/** The broker's RSS once idle after the last scenario, with its row's label (how long it sat idle). */
function settledBrokerRss(results: Results): { rssMb: number; after: string } | undefined {
  const row = results.memory.find((r) => r.settled);
  return row?.broker ? { rssMb: row.broker.rssMb, after: row.after } : undefined;
}

function largestBatch(results: Results) {
  return results.scenarios.batchWrite?.sizes.at(-1);
}

/**
 * A results file of an older format, read as this one (for --before and --render): format 1 had one
 * end-to-end rate and the ids scenario at one connection count.
 */
export function upgrade(raw: unknown): Results {
  const results = raw as Results & { format: number };
  if (results.format === 2) return results;
  const s = results.scenarios as Record<string, unknown>;
  const e2e = s['endToEnd'];
  if (e2e && !Array.isArray(e2e)) s['endToEnd'] = [e2e];
  const ids = s['idempotentWrite'] as
    | { connections: number; without: Record<string, number>; withIds: Record<string, number>; series?: unknown }
    | undefined;
  if (ids && !ids.series) {
    ids.series = [
      { connections: ids.connections, ids: false, ...ids.without },
      { connections: ids.connections, ids: true, ...ids.withIds },
    ];
  }
  return { ...results, format: 2 };
}

const seriesName = (series: BatchSeries) => `batch ×1000, ${series.connections} conn${series.connections > 1 ? 's' : ''}${series.ids ? ', with ids' : ''}`;

/** Server CPU per single-record write of each system (µs), where every process of it was measured. */
export function serverCpu(w: SingleWriteResult): { tributary?: number; xadd?: number; nats?: number; baseline?: number } {
  const c = w.cpuUsPerRequest;
  const sum = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a + b : undefined);
  return {
    ...optionalNumber('tributary', sum(c.broker, c.redis)),
    ...optionalNumber('xadd', sum(c.xadd, c.xaddRedis)),
    ...optionalNumber('nats', c.nats),
    ...optionalNumber('baseline', c.baseline),
  };
}

function optionalNumber<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/** The figures a before/after comparison is about. */
export function headlines(results: Results): Headline[] {
  const s = results.scenarios;
  const rows: Array<Headline | undefined> = [
    s.singleWrite && { metric: 'single-record write, req/s', value: s.singleWrite.broker.perSecond, unit: 'req/s', better: 'higher' },
    s.singleWrite && { metric: 'single-record write, p99', value: s.singleWrite.broker.p99Ms, unit: 'ms', better: 'lower' },
    s.singleWrite && { metric: 'bare Fastify baseline, req/s', value: s.singleWrite.baseline.perSecond, unit: 'req/s', better: 'higher' },
    s.singleWrite && { metric: 'single-record write ÷ baseline', value: s.singleWrite.ratio, unit: '×', better: 'higher' },
    s.singleWrite?.cpuUsPerRequest.broker !== undefined
      ? { metric: 'single-record write, broker CPU per request', value: s.singleWrite.cpuUsPerRequest.broker, unit: 'µs', better: 'lower' }
      : undefined,
    s.singleWrite?.cpuUsPerRequest.redis !== undefined
      ? { metric: 'single-record write, Redis CPU per request', value: s.singleWrite.cpuUsPerRequest.redis, unit: 'µs', better: 'lower' }
      : undefined,
    s.singleWrite?.xadd && { metric: 'Fastify + XADD, req/s', value: s.singleWrite.xadd.perSecond, unit: 'req/s', better: 'higher' },
    s.singleWrite?.xadd && { metric: 'single-record write ÷ Fastify + XADD', value: s.singleWrite.ratioToXadd, unit: '×', better: 'higher' },
    s.singleWrite && serverCpu(s.singleWrite).xadd !== undefined
      ? { metric: 'Fastify + XADD, server CPU per request', value: serverCpu(s.singleWrite).xadd!, unit: 'µs', better: 'lower' }
      : undefined,
    s.singleWrite?.nats && { metric: 'NATS JetStream, msg/s', value: s.singleWrite.nats.perSecond, unit: 'msg/s', better: 'higher' },
    ...(s.batchWrite?.sizes ?? []).flatMap((size): Headline[] => [
      { metric: `batch write ×${size.recordsPerRequest}, records/s`, value: size.recordsPerSecond, unit: 'records/s', better: 'higher' },
      ...(size.cpuUsPerRecord.broker !== undefined && size.cpuUsPerRecord.redis !== undefined
        ? [
            { metric: `batch write ×${size.recordsPerRequest}, broker CPU per record`, value: size.cpuUsPerRecord.broker, unit: 'µs', better: 'lower' } as const,
            { metric: `batch write ×${size.recordsPerRequest}, Redis CPU per record`, value: size.cpuUsPerRecord.redis, unit: 'µs', better: 'lower' } as const,
          ]
        : []),
    ]),
    s.batchWrite?.redisRpushPerSecond !== undefined
      ? { metric: 'Redis pipelined RPUSH, ops/s', value: s.batchWrite.redisRpushPerSecond, unit: 'ops/s', better: 'higher' }
      : undefined,
    s.prefill && { metric: `fill ${s.prefill.long.records} records, records/s`, value: s.prefill.long.recordsPerSecond, unit: 'records/s', better: 'higher' },
    s.readThroughput && { metric: 'read max=1000, records/s', value: s.readThroughput.recordsPerSecond, unit: 'records/s', better: 'higher' },
    ...(s.endToEnd ?? []).flatMap((e): Headline[] => [
      { metric: `end-to-end p50 at ${e.rate}/s`, value: e.ackToRead.p50, unit: 'ms', better: 'lower' },
      { metric: `end-to-end p99 at ${e.rate}/s`, value: e.ackToRead.p99, unit: 'ms', better: 'lower' },
    ]),
    s.demo?.highestSustained !== undefined ? { metric: 'demo, highest sustained events/s', value: s.demo.highestSustained, unit: 'events/s', better: 'higher' } : undefined,
    s.readCost && { metric: 'read-cost ratio (long ÷ short, p50)', value: s.readCost.ratio, unit: '×', better: 'lower' },
    ...(s.idempotentWrite?.series ?? []).map((series): Headline => ({ metric: `${seriesName(series)}, records/s`, value: series.recordsPerSecond, unit: 'records/s', better: 'higher' })),
    s.idempotentWrite && { metric: 'batch write with ids ÷ without', value: s.idempotentWrite.ratio, unit: '×', better: 'higher' },
    s.idempotentWrite?.bytesPerId !== undefined
      ? { metric: 'Redis memory per remembered id', value: s.idempotentWrite.bytesPerId, unit: 'B', better: 'lower' }
      : undefined,
  ];
  const brokerRss = maxBrokerRss(results);
  if (brokerRss !== undefined) rows.push({ metric: 'broker RSS, max', value: brokerRss, unit: 'MB', better: 'lower' });
  return rows.filter((row): row is Headline => row !== undefined);
}

export function targets(results: Results): TargetRow[] {
  const s = results.scenarios;
  const brokerRss = maxBrokerRss(results);
  const settled = settledBrokerRss(results);
  const met = (known: boolean, ok: boolean) => (known ? ok : undefined);
  const single = s.singleWrite;
  const cpu = single ? serverCpu(single) : {};
  const e2eAt = (rate: number) => s.endToEnd?.find((e) => e.rate === rate);
  const e2eRow = (rate: number, limitMs: number): TargetRow => {
    const e = e2eAt(rate);
    return {
      target: `end-to-end p99 < ${limitMs} ms at ${int(rate)} records/s`,
      measured: e ? `${ms(e.ackToRead.p99)}${e.missing > 0 ? `, ${e.missing} never read` : ''}` : 'not measured',
      met: met(Boolean(e), (e?.ackToRead.p99 ?? Infinity) < limitMs && (e?.missing ?? 1) === 0),
    };
  };
  const series = (connections: number, floor: number): TargetRow => {
    const mine = s.idempotentWrite?.series.filter((x) => x.connections === connections) ?? [];
    const worst = Math.min(...mine.map((x) => x.recordsPerSecond));
    return {
      target: `batches of 1,000 ≥ ${int(floor)} records/s on ${connections} connection${connections > 1 ? 's' : ''}, with and without ids`,
      measured: mine.length > 0 ? mine.map((x) => `${int(x.recordsPerSecond)}${x.ids ? ' with ids' : ' without'}`).join(', ') : 'not measured',
      met: met(mine.length > 0, worst >= floor),
    };
  };
  return [
    {
      target: 'single-record write ≥ 1.2× Fastify + XADD',
      measured: single?.xadd ? times(single.ratioToXadd) : 'not measured',
      met: met(Boolean(single?.xadd), (single?.ratioToXadd ?? 0) >= 1.2),
    },
    {
      target: 'server CPU per single-record write ≤ Fastify + XADD (Node + Redis)',
      measured:
        cpu.tributary !== undefined && cpu.xadd !== undefined ? `${us(cpu.tributary)} (broker + Redis) vs ${us(cpu.xadd)}` : 'not measured',
      met: met(cpu.tributary !== undefined && cpu.xadd !== undefined, (cpu.tributary ?? Infinity) <= (cpu.xadd ?? 0)),
    },
    {
      target: 'Redis CPU per single-record append ≤ 15 µs',
      measured: single?.cpuUsPerRequest.redis !== undefined ? us(single.cpuUsPerRequest.redis) : 'not measured',
      met: met(single?.cpuUsPerRequest.redis !== undefined, (single?.cpuUsPerRequest.redis ?? Infinity) <= 15),
    },
    {
      target: 'single-record write ≥ 0.8× bare Fastify',
      measured: s.singleWrite ? times(s.singleWrite.ratio) : 'not measured',
      met: met(Boolean(s.singleWrite), (s.singleWrite?.ratio ?? 0) >= 0.8),
    },
    series(8, 500_000),
    series(1, 350_000),
    e2eRow(1000, 10),
    e2eRow(20_000, 50),
    {
      target: 'read-cost ratio ≤ 1.2',
      measured: s.readCost ? times(s.readCost.ratio) : 'not measured',
      met: met(Boolean(s.readCost), (s.readCost?.ratio ?? Infinity) <= 1.2),
    },
    {
      target: 'batch write with ids ≥ 0.8× without',
      measured: s.idempotentWrite ? times(s.idempotentWrite.ratio) : 'not measured',
      met: met(Boolean(s.idempotentWrite), (s.idempotentWrite?.ratio ?? 0) >= 0.8),
    },
    {
      target: 'broker RSS < 150 MB',
      measured:
        brokerRss !== undefined
          ? `${mb(brokerRss)} (max after any scenario; peak ${mb(maxBrokerPeak(results))})${settled ? `; ${mb(settled.rssMb)} ${settled.after}` : ''}`
          : 'not measured',
      met: met(brokerRss !== undefined, (brokerRss ?? Infinity) < 150),
    },
    ...(s.demo ? [demoTarget(s.demo)] : []),
  ];
}

const verdict = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'met' : 'MISSED');

interface SummaryRow {
  scenario: string;
  tributary: string;
  baseline: string;
  ratio: string;
}

function summaryRows(results: Results): SummaryRow[] {
  const s = results.scenarios;
  const rows: SummaryRow[] = [];
  if (s.singleWrite) {
    const w = s.singleWrite;
    rows.push({
      scenario: `1 single-record write (${w.connections} conns)`,
      tributary: `${int(w.broker.perSecond)} req/s, p50 ${ms(w.broker.p50Ms)}, p99 ${ms(w.broker.p99Ms)}`,
      baseline: `bare Fastify ${int(w.baseline.perSecond)} req/s, p50 ${ms(w.baseline.p50Ms)}, p99 ${ms(w.baseline.p99Ms)}`,
      ratio: times(w.ratio),
    });
    if (w.xadd) {
      rows.push({
        scenario: '  against Fastify + XADD',
        tributary: `server CPU ${us(serverCpu(w).tributary)} per write`,
        baseline: `${int(w.xadd.perSecond)} req/s, p99 ${ms(w.xadd.p99Ms)}, server CPU ${us(serverCpu(w).xadd)} per write`,
        ratio: times(w.ratioToXadd),
      });
    }
    if (w.nats) {
      rows.push({
        scenario: '  against NATS JetStream',
        tributary: '',
        baseline: `${int(w.nats.perSecond)} msg/s, p99 ${ms(w.nats.p99Ms)}, server CPU ${us(serverCpu(w).nats)} per message`,
        ratio: times(w.broker.perSecond / w.nats.perSecond),
      });
    }
  }
  for (const size of s.batchWrite?.sizes ?? []) {
    rows.push({
      scenario: `2 batch write ×${size.recordsPerRequest} (${s.batchWrite!.connections} conns)`,
      tributary: `${int(size.recordsPerSecond)} records/s (${int(size.requests.perSecond)} req/s, p99 ${ms(size.requests.p99Ms)})`,
      baseline: s.batchWrite!.redisRpushPerSecond !== undefined ? `Redis RPUSH -P 32: ${int(s.batchWrite!.redisRpushPerSecond)} ops/s` : 'not measured',
      ratio: times(size.ratio),
    });
  }
  if (s.prefill) {
    rows.push({
      scenario: `  fill ${int(s.prefill.long.records)} records, batches of ${int(s.prefill.batchRecords)}`,
      tributary: `${s.prefill.long.seconds.toFixed(1)} s, ${int(s.prefill.long.recordsPerSecond)} records/s`,
      baseline: '',
      ratio: '',
    });
  }
  if (s.readThroughput) {
    const r = s.readThroughput;
    rows.push({
      scenario: `3 read max=${r.max} (${r.connections} conns)`,
      tributary: `${int(r.recordsPerSecond)} records/s (${int(r.requests.perSecond)} reads/s, p99 ${ms(r.requests.p99Ms)})${r.exhausted ? ' floor: partition exhausted' : ''}`,
      baseline: '',
      ratio: '',
    });
  }
  for (const e of s.endToEnd ?? []) {
    rows.push({
      scenario: `4 end-to-end at ${int(e.rate)} records/s`,
      tributary: `ack→read p50 ${ms(e.ackToRead.p50)}, p99 ${ms(e.ackToRead.p99)}, max ${ms(e.ackToRead.max)}`,
      baseline: '',
      ratio: '',
    });
  }
  if (s.readCost) {
    const c = s.readCost;
    const [short, longStart] = c.cases;
    rows.push({
      scenario: `5 read cost, ${c.recordsPerRead} records`,
      tributary: `p50 ${ms(longStart!.latency.p50Ms)} at the ${longStart!.name}`,
      baseline: `p50 ${ms(short!.latency.p50Ms)} at the ${short!.name}`,
      ratio: `${times(c.ratio)} (worst offset ${times(c.worstRatio)})`,
    });
  }
  if (s.idempotentWrite) {
    const i = s.idempotentWrite;
    const rpush = s.batchWrite?.redisRpushPerSecond;
    for (const x of i.series) {
      rows.push({
        scenario: `6 ${seriesName(x)}`,
        tributary: `${int(x.recordsPerSecond)} records/s, p99 ${ms(x.p99Ms)}`,
        baseline: rpush !== undefined ? `Redis RPUSH -P 32: ${int(rpush)} ops/s` : '',
        ratio: rpush !== undefined ? times(x.recordsPerSecond / rpush) : '',
      });
    }
    rows.push({
      scenario: '  ids',
      tributary: `${i.bytesPerId === undefined ? '?' : int(i.bytesPerId)} B of Redis per id`,
      baseline: 'with ids ÷ without',
      ratio: times(i.ratio),
    });
  }
  for (const load of s.hostileBodies?.underLoad ?? []) {
    const h = s.hostileBodies!;
    rows.push({
      scenario: `8 /healthz under ${load.connections} conns of ${mb(h.maxBodyBytes / 1024 / 1024)} hostile bodies`,
      tributary: `p50 ${ms(load.healthz.p50Ms)}, p99 ${ms(load.healthz.p99Ms)}, max ${ms(load.healthz.maxMs)}, ${load.healthz.failed} failed; ${int(load.hostile.requests / load.durationS)} bodies/s answered; broker RSS ${mb(load.brokerRssMb)}`,
      baseline: `idle: p50 ${ms(h.idle.healthz.p50Ms)}, p99 ${ms(h.idle.healthz.p99Ms)}`,
      ratio: '',
    });
  }
  if (s.demo) rows.push({ scenario: '9 the demo under load', ...demoSummary(s.demo), ratio: '' });
  if (results.memory.length > 0) {
    rows.push({
      scenario: '7 memory (max RSS after any scenario)',
      tributary: `broker ${mb(maxBrokerRss(results))} (peak ${mb(maxBrokerPeak(results))}), gateway ${mb(maxGatewayRss(results))}`,
      baseline: '',
      ratio: '',
    });
  }
  return rows;
}

// ---- terminal ------------------------------------------------------------------------------------------

export function terminalSummary(results: Results): string {
  const rows = summaryRows(results);
  const table = (header: string[], body: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  };
  const out = [
    '',
    `Tributary benchmark (${results.mode}) — ${results.machine.host}, ${results.machine.cores} cores, load before ${results.machine.loadBefore.join(' ')}`,
    '',
    table(['scenario', 'Tributary', 'baseline (same run)', 'ratio'], rows.map((r) => [r.scenario, r.tributary, r.baseline, r.ratio])),
    '',
    table(['target (reported, not asserted)', 'measured', ''], targets(results).map((t) => [t.target, t.measured, verdict(t.met)])),
  ];
  if (results.notMeasured.length > 0) out.push('', ...results.notMeasured.map((n) => `not measured: ${n}`));
  return `${out.join('\n')}\n`;
}

// ---- markdown ------------------------------------------------------------------------------------------

function mdTable(header: string[], rows: string[][]): string {
  const esc = (cell: string) => cell.replaceAll('|', '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function markdown(results: Results): string {
  const m = results.machine;
  const s = results.scenarios;
  const out: string[] = [];
  out.push(`# Tributary benchmark — ${results.date.slice(0, 10)}, ${m.host} (${results.mode} run)`, '');
  out.push(
    'Generated by `npm run bench`' + (results.mode === 'quick' ? ' -- --quick' : '') + ' (bench/). Figures are medians over ' +
      `${results.settings.rounds} measured run(s) of ${results.settings.measureS} s after a ${results.settings.warmupS} s warm-up; ` +
      'ratios are against baselines measured in the same run on the same machine. Targets are reported, not asserted.',
    '',
  );

  out.push('## Machine', '');
  out.push(
    mdTable(
      ['', ''],
      [
        ['host', m.host],
        ['cores', `${m.cores} (${m.cpuModel}), ${m.memoryGiB} GiB`],
        ['kernel', m.kernel],
        ['load before (`uptime`)', m.uptimeBefore],
        ['load after', m.uptimeAfter ?? 'n/a'],
        ['node', m.node],
        ['redis', `${results.stack.redis}, ${results.stack.redisPersistence}${results.stack.externalRedis ? ' (REDIS_HOST)' : ', throwaway'}`],
        ['zookeeper', results.stack.externalZooKeeper ? 'ZOOKEEPER_HOST' : 'throwaway, Debian package'],
        ['load generator', results.stack.loadGenerator],
        ['broker processes', `${results.stack.brokerProcesses ?? 1}${(results.stack.brokerProcesses ?? 1) > 1 ? ' (node:cluster, one port; CPU summed over them, RSS the largest)' : ''}`],
        ['peers', `bare Fastify route; Fastify + ioredis XADD on the same Redis; ${results.stack.nats ? `NATS JetStream (${results.stack.nats}, -js, file storage, Debian package)` : 'NATS JetStream not measured (nats-server not installed)'}`],
        ['git commit', m.gitCommit ?? 'n/a'],
        ['run took', `${Math.round(results.durationS)} s`],
      ],
    ),
    '',
  );
  out.push(
    'Every process shares the same cores: the load generator, the service under test, Redis and ZooKeeper. ' +
      'The bare-Fastify baseline needs no Redis, so it has more of the machine than the broker has; that is part of ' +
      'what the ratio measures. "CPU per request" (or per record) is the CPU time a process used during the measured ' +
      'runs (/proc/<pid>/stat; Redis: INFO cpu) divided by the work done: where the time goes, and less dependent ' +
      'on the machine than a rate.',
    '',
  );

  out.push('## Summary', '');
  out.push(mdTable(['scenario', 'Tributary', 'baseline (same run)', 'ratio'], summaryRows(results).map((r) => [r.scenario, r.tributary, r.baseline, r.ratio])), '');
  out.push('## Targets', '');
  out.push(mdTable(['target (reported, not asserted)', 'measured', ''], targets(results).map((t) => [t.target, t.measured, verdict(t.met)])), '');
  if (results.notMeasured.length > 0) out.push('**Not measured:**', '', ...results.notMeasured.map((n) => `- ${n}`), '');

  if (results.before) {
    const before = new Map(results.before.headlines.map((h) => [h.metric, h]));
    out.push('## Before and after', '');
    out.push(`Before: \`${results.before.file}\` (${results.before.date.slice(0, 19)}, commit ${results.before.gitCommit ?? 'n/a'}). After: this run.`, '');
    const rows = headlines(results).map((h) => {
      const b = before.get(h.metric);
      const change = b && b.value !== 0 ? `${((h.value / b.value - 1) * 100).toFixed(0)}%` : '';
      const fmt = (x: number) =>
        h.unit === '×' ? times(x) : h.unit === 'ms' ? ms(x) : h.unit === 'MB' ? mb(x) : h.unit === 'µs' ? us(x) : `${int(x)} ${h.unit}`;
      return [h.metric, b ? fmt(b.value) : 'n/a', fmt(h.value), change];
    });
    out.push(mdTable(['metric', 'before', 'after', 'change'], rows), '');
  }
  if (results.notes) out.push('## Profiling and changes', '', results.notes.trim(), '');

  out.push('## Scenarios in detail', '');
  if (s.singleWrite) {
    const w = s.singleWrite;
    out.push(
      '### 1. Single-record write',
      '',
      `\`POST /write/:topic\` with one ${w.bodyBytes}-byte record (constant key, a topic of ${w.topicPartitions} partition), ` +
        `wrk with ${w.connections} connections, saturating. Baseline: a bare Fastify route in its own process that parses ` +
        'the same body with Fastify\'s JSON parser and answers a constant JSON (bench/src/baseline-server.ts). Peers: ' +
        'Fastify + one `XADD` per request on the same Redis (bench/src/xadd-server.ts, wrk with the same connections), ' +
        `and NATS JetStream with file storage, the same bytes as one message, ${w.connections} publishes in flight ` +
        '(bench/src/nats-probe.ts). Rounds go through every system in turn.',
      '',
      mdTable(
        ['system', 'writes/s', 'p50', 'p99', 'max', 'failed', 'server CPU per write', 'server CPU per 1,000 writes'],
        [
          ['bare Fastify route answering a constant', w.baseline, us(w.cpuUsPerRequest.baseline), serverCpu(w).baseline] as const,
          ['**Tributary**', w.broker, `broker ${us(w.cpuUsPerRequest.broker)} + Redis ${us(w.cpuUsPerRequest.redis)}`, serverCpu(w).tributary] as const,
          ...(w.xadd ? [['Fastify + one XADD per request', w.xadd, `Node ${us(w.cpuUsPerRequest.xadd)} + Redis ${us(w.cpuUsPerRequest.xaddRedis)}`, serverCpu(w).xadd] as const] : []),
          ...(w.nats ? [[`NATS JetStream ${w.natsVersion ?? ''}, file storage`, w.nats, `nats-server ${us(w.cpuUsPerRequest.nats)}`, serverCpu(w).nats] as const] : []),
        ].map(([name, x, cpu, total]) => [
          name,
          int(x.perSecond),
          ms(x.p50Ms),
          ms(x.p99Ms),
          ms(x.maxMs),
          String(x.failures),
          cpu,
          total === undefined ? 'n/a' : `${int(total)} ms`,
        ]),
      ),
      '',
      `Per round (writes/s): broker ${w.runs.broker.map((r) => int(r.okPerSecond)).join(', ')}; bare Fastify ${w.runs.baseline.map((r) => int(r.okPerSecond)).join(', ')}` +
        `; Fastify + XADD ${(w.runs.xadd ?? []).map((r) => int(r.okPerSecond)).join(', ')}` +
        `${(w.runs.nats ?? []).length > 0 ? `; NATS JetStream ${w.runs.nats.map((r) => int(r.ackedPerSecond)).join(', ')}` : ''}.`,
      '',
      w.requestsPerAppendCall !== undefined
        ? `Requests per append script call while the broker was loaded (the group commit): ${w.requestsPerAppendCall.toFixed(1)}.`
        : '',
      '',
      'Tributary against the bare route alone:',
      '',
      mdTable(
        ['', 'req/s', 'p50', 'p99', 'max', 'failed requests', 'CPU per request'],
        [
          [
            'broker',
            int(w.broker.perSecond),
            ms(w.broker.p50Ms),
            ms(w.broker.p99Ms),
            ms(w.broker.maxMs),
            String(w.broker.failures),
            `broker ${us(w.cpuUsPerRequest.broker)} + Redis ${us(w.cpuUsPerRequest.redis)}`,
          ],
          [
            'bare Fastify',
            int(w.baseline.perSecond),
            ms(w.baseline.p50Ms),
            ms(w.baseline.p99Ms),
            ms(w.baseline.maxMs),
            String(w.baseline.failures),
            us(w.cpuUsPerRequest.baseline),
          ],
        ],
      ),
      '',
    );
  }
  if (s.batchWrite) {
    const b = s.batchWrite;
    out.push(
      '### 2. Batch write',
      '',
      `\`POST /write/:topic\` with \`{"records": [...]}\`, keys spread over a topic of ${b.topicPartitions} partitions, wrk with ` +
        `${b.connections} connections. Baseline: \`redis-benchmark -c 50 -P 32 RPUSH <key> <entry>\` against the same Redis, ` +
        `with ${b.entryBytes}-byte entries (the size the broker stores per record).`,
      '',
      mdTable(
        ['records per request', 'body', 'records/s', 'req/s', 'p50', 'p99', 'failed', '÷ Redis RPUSH', 'CPU per record'],
        b.sizes.map((z) => [
          String(z.recordsPerRequest),
          `${Math.round(z.bodyBytes / 1024)} KiB`,
          int(z.recordsPerSecond),
          int(z.requests.perSecond),
          ms(z.requests.p50Ms),
          ms(z.requests.p99Ms),
          String(z.requests.failures),
          times(z.ratio),
          `broker ${us(z.cpuUsPerRecord.broker)} + Redis ${us(z.cpuUsPerRecord.redis)}`,
        ]),
      ),
      '',
      b.redisRpushPerSecond !== undefined
        ? `Redis pipelined RPUSH: ${int(b.redisRpushPerSecond)} ops/s (runs: ${b.redisRuns.map((r) => int(r.opsPerSecond)).join(', ')}), ` +
          `Redis CPU ${us(b.redisCpuUsPerRpush)} per RPUSH.`
        : 'Redis baseline not measured (redis-benchmark missing).',
      '',
    );
  }
  if (s.prefill) {
    const p = s.prefill;
    out.push(
      '### Filling the read partitions',
      '',
      `${int(p.long.records)} records in batches of ${int(p.batchRecords)}, two requests in flight: ${p.long.seconds.toFixed(1)} s ` +
        `(${int(p.long.recordsPerSecond)} records/s). ${int(p.short.records)} records: ${p.short.seconds.toFixed(2)} s.`,
      '',
    );
  }
  if (s.readThroughput) {
    const r = s.readThroughput;
    out.push(
      '### 3. Read throughput',
      '',
      `\`GET /read/:email/:topic/:key?max=${r.max}\` (auto-commit) over a partition of ${int(r.partitionRecords)} records, ` +
        `${r.consumers} consumers read in turn by wrk with ${r.connections} connections. Records counted from the consumers' committed offsets.`,
      '',
      mdTable(
        ['records/s', 'reads/s', 'p50', 'p99', 'failed', 'partition exhausted', 'CPU per record'],
        [
          [
            int(r.recordsPerSecond),
            int(r.requests.perSecond),
            ms(r.requests.p50Ms),
            ms(r.requests.p99Ms),
            String(r.requests.failures),
            r.exhausted ? 'yes: figure is a floor' : 'no',
            `gateway ${us(r.cpuUsPerRecord.gateway)} + Redis ${us(r.cpuUsPerRecord.redis)}`,
          ],
        ],
      ),
      '',
    );
  }
  for (const e of s.endToEnd ?? []) {
    out.push(
      `### 4. End-to-end latency at ${int(e.rate)} records/s`,
      '',
      `A probe process writes open-loop at ${int(e.rate)} records/s (achieved ${int(e.achievedRate)}/s), every millisecond the records ` +
        `that fell due as one request (${e.requests ? (e.sent / e.requests).toFixed(1) : '1'} records per request on average), to one partition while ` +
        `one reader long-polls it (\`wait_ms=1000\`); ${e.warmupS} s warm-up, then ${e.measureS} s measured. Latency is from the ` +
        'write\'s acknowledgement to the reader having the record, both on the probe\'s clock.',
      '',
      mdTable(
        ['', 'p50', 'p99', 'max'],
        [
          ['ack → read', ms(e.ackToRead.p50), ms(e.ackToRead.p99), ms(e.ackToRead.max)],
          ['write (send → ack)', ms(e.writeLatency.p50), ms(e.writeLatency.p99), ms(e.writeLatency.max)],
        ],
      ),
      '',
      `${int(e.measured)} records timed, ${e.missing} never read, ${e.readBeforeAck} read before their ack arrived (counted as 0 ms), ` +
        `${e.reads} read requests, ${e.writeErrors} write errors, ${e.readErrors} read errors.`,
      '',
    );
  }
  if (s.readCost) {
    const c = s.readCost;
    out.push(
      '### 5. Read cost against partition length',
      '',
      `One \`GET /read\` of ${c.recordsPerRead} records at a time (wrk, 1 connection, \`commit=false\`, so each request reads the same range). ` +
        'docs/invariants.md I3: the cost must not depend on the offset or the partition\'s length.',
      '',
      mdTable(
        ['where', 'offset', 'p50', 'mean', 'p99', 'ratio to the short partition (p50)'],
        c.cases.map((k) => [
          k.name,
          int(k.offset),
          ms(k.latency.p50Ms),
          ms(k.meanMs),
          ms(k.latency.p99Ms),
          times(k.latency.p50Ms / c.cases[0]!.latency.p50Ms),
        ]),
      ),
      '',
    );
  }
  if (s.idempotentWrite) {
    const i = s.idempotentWrite;
    out.push(
      '### 6. Batches of 1,000, with and without ids',
      '',
      `\`POST /write/:topic\` with ${i.recordsPerRequest} records per request, keys spread over a topic of ${i.topicPartitions} partitions, ` +
        'from the batch probe (bench/src/batch-probe.ts): closed loop, one request per connection in flight; with ids, every record carries ' +
        'an id never used before, so each is checked against the dedup window and stored.',
      '',
      mdTable(
        ['connections', 'ids', 'records/s', 'p50', 'p99', 'CPU per record'],
        i.series.map((x) => [
          String(x.connections),
          x.ids ? 'yes' : 'no',
          int(x.recordsPerSecond),
          ms(x.p50Ms ?? Number.NaN),
          ms(x.p99Ms),
          `broker ${us(x.brokerCpuUsPerRecord)} + Redis ${us(x.redisCpuUsPerRecord)}`,
        ]),
      ),
      '',
      `${int(i.idsStored)} ids remembered at the end, ${i.bytesPerId === undefined ? 'n/a' : int(i.bytesPerId)} bytes of Redis each; ${i.failed} failed requests.`,
      '',
    );
  }
  if (s.demo) out.push(...demoMarkdown(s.demo, mdTable));
  if (results.memory.length > 0) {
    out.push(
      '### 7. Memory',
      '',
      'Resident set size (VmRSS from /proc/<pid>/status) of the service processes right after each scenario, and once ' +
        'more after they sat idle (V8 gives back garbage it kept under load); peak is VmHWM, the most since the process ' +
        'started. Redis: INFO used_memory_rss (the records themselves live there).',
      '',
      mdTable(
        ['after', 'broker RSS', 'broker peak', 'gateway RSS', 'gateway peak', 'redis RSS'],
        results.memory.map((row) => [row.after, mb(row.broker?.rssMb), mb(row.broker?.peakMb), mb(row.gateway?.rssMb), mb(row.gateway?.peakMb), mb(row.redisMb)]),
      ),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
