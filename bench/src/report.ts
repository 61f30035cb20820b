// Results as JSON (everything measured, every run), as Markdown (bench/results/<date>-<host>.md) and as a
// summary table on the terminal. Ratios are against baselines measured in the same run; targets are
// reported, never asserted.
import type { MachineFacts, MemorySample } from './machine.js';
import type { Settings } from './scenario.js';
import type { BatchWriteResult } from './scenarios/batch-write.js';
import type { EndToEndResult } from './scenarios/end-to-end.js';
import type { HostileBodiesResult } from './scenarios/hostile-bodies.js';
import type { IdempotentWriteResult } from './scenarios/idempotent-write.js';
import type { PrefillResult } from './scenarios/prefill.js';
import type { ReadCostResult } from './scenarios/read-cost.js';
import type { ReadThroughputResult } from './scenarios/read-throughput.js';
import type { SingleWriteResult } from './scenarios/single-write.js';

export interface MemoryRow {
  after: string;
  broker?: MemorySample;
  gateway?: MemorySample;
  redisMb?: number;
}

export interface Results {
  format: 1;
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
  };
  scenarios: {
    singleWrite?: SingleWriteResult;
    batchWrite?: BatchWriteResult;
    prefill?: PrefillResult;
    readThroughput?: ReadThroughputResult;
    endToEnd?: EndToEndResult;
    readCost?: ReadCostResult;
    idempotentWrite?: IdempotentWriteResult;
    hostileBodies?: HostileBodiesResult;
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

export function maxBrokerRss(results: Results): number | undefined {
  const values = results.memory.map((row) => row.broker?.rssMb).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

function maxBrokerPeak(results: Results): number | undefined {
  const values = results.memory.map((row) => row.broker?.peakMb).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

function maxGatewayRss(results: Results): number | undefined {
  const values = results.memory.map((row) => row.gateway?.rssMb).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

function largestBatch(results: Results) {
  return results.scenarios.batchWrite?.sizes.at(-1);
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
    s.endToEnd && { metric: 'end-to-end p50', value: s.endToEnd.ackToRead.p50, unit: 'ms', better: 'lower' },
    s.endToEnd && { metric: 'end-to-end p99', value: s.endToEnd.ackToRead.p99, unit: 'ms', better: 'lower' },
    s.readCost && { metric: 'read-cost ratio (long ÷ short, p50)', value: s.readCost.ratio, unit: '×', better: 'lower' },
    s.idempotentWrite && { metric: 'batch write ×1000 with ids, records/s', value: s.idempotentWrite.withIds.recordsPerSecond, unit: 'records/s', better: 'higher' },
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
  const batch = largestBatch(results);
  const met = (known: boolean, ok: boolean) => (known ? ok : undefined);
  return [
    {
      target: 'single-record write ≥ 0.8× bare Fastify',
      measured: s.singleWrite ? times(s.singleWrite.ratio) : 'not measured',
      met: met(Boolean(s.singleWrite), (s.singleWrite?.ratio ?? 0) >= 0.8),
    },
    {
      target: 'batch write ≥ 500,000 records/s',
      measured: batch ? `${int(batch.recordsPerSecond)} records/s (×${batch.recordsPerRequest})` : 'not measured',
      met: met(Boolean(batch), (batch?.recordsPerSecond ?? 0) >= 500_000),
    },
    {
      target: 'end-to-end p99 < 10 ms at 1,000 records/s',
      measured: s.endToEnd ? ms(s.endToEnd.ackToRead.p99) : 'not measured',
      met: met(Boolean(s.endToEnd), (s.endToEnd?.ackToRead.p99 ?? Infinity) < 10 && (s.endToEnd?.missing ?? 1) === 0),
    },
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
      measured: brokerRss !== undefined ? `${mb(brokerRss)} (max after any scenario; peak ${mb(maxBrokerPeak(results))})` : 'not measured',
      met: met(brokerRss !== undefined, (brokerRss ?? Infinity) < 150),
    },
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
  if (s.endToEnd) {
    const e = s.endToEnd;
    rows.push({
      scenario: `4 end-to-end at ${e.rate}/s`,
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
    rows.push({
      scenario: `6 batch write ×${i.recordsPerRequest} with ids (${i.connections} conns)`,
      tributary: `${int(i.withIds.recordsPerSecond)} records/s, p99 ${ms(i.withIds.p99Ms)}; ${i.bytesPerId === undefined ? '?' : int(i.bytesPerId)} B of Redis per id`,
      baseline: `same batches without ids: ${int(i.without.recordsPerSecond)} records/s`,
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
        'the same body with Fastify\'s JSON parser and answers a constant JSON (bench/src/baseline-server.ts). Rounds alternate baseline and broker.',
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
      `Per round (req/s): broker ${w.runs.broker.map((r) => int(r.okPerSecond)).join(', ')}; baseline ${w.runs.baseline.map((r) => int(r.okPerSecond)).join(', ')}.`,
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
  if (s.endToEnd) {
    const e = s.endToEnd;
    out.push(
      '### 4. End-to-end latency',
      '',
      `A probe process writes single records open-loop at ${e.rate}/s (achieved ${int(e.achievedRate)}/s) to one partition while ` +
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
        'DESIGN.md I3: the cost must not depend on the offset or the partition\'s length.',
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
  if (results.memory.length > 0) {
    out.push(
      '### 6. Memory',
      '',
      'Resident set size (VmRSS from /proc/<pid>/status) of the service processes right after each scenario; peak is ' +
        'VmHWM, the most since the process started. Redis: INFO used_memory_rss (the records themselves live there).',
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
