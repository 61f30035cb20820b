// The batch-write probe, its own process (the idempotent-write scenario): keeps `connections` batch writes
// in flight for a while and counts the records acknowledged. With `ids`, every record carries an id never
// used before, so each one is checked against the dedup window and then stored: the cost of idempotency,
// not of duplicates. wrk sends one fixed body, which would make every id after the first request a
// duplicate; both variants therefore run here, with the same generator, so their ratio is fair.
//
//   node batch-probe.js '{"url":…,"connections":8,"records":1000,"durationS":8,"ids":true,"idPrefix":"r1"}'
//
// Prints one line: BATCH_RESULT <json>.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';
import { sampleValue } from './records.js';

interface ProbeOptions {
  url: string;
  connections: number;
  records: number;
  durationS: number;
  ids: boolean;
  idPrefix: string;
}

export interface BatchProbeResult {
  ids: boolean;
  durationS: number;
  requests: number;
  failed: number;
  recordsPerSecond: number;
  latencyMs: { p50: number; p99: number };
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProbeOptions;
const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
const value = JSON.stringify(sampleValue);

// The generator must cost little next to what it measures (it shares the machine's cores): the records' text
// is made once, and a request adds only its ids. Without ids every request sends the same body, as wrk does.
const heads = Array.from({ length: options.records }, (_, i) => `{"key":"user-${i}","value":${value}`);
const fixed = `{"records":[${heads.map((head) => `${head}}`).join(',')}]}`;
let counter = 0;
function body(): string {
  if (!options.ids) return fixed;
  const request = counter++;
  const records = new Array<string>(options.records);
  for (let i = 0; i < options.records; i++) records[i] = `${heads[i]},"id":"${options.idPrefix}-${request}-${i}"}`;
  return `{"records":[${records.join(',')}]}`;
}

function post(text: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(options.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(text);
  });
}

const latencies: number[] = [];
let failed = 0;
const started = performance.now();
const until = started + options.durationS * 1000;
await Promise.all(
  Array.from({ length: options.connections }, async () => {
    while (performance.now() < until) {
      const text = body();
      const sentAt = performance.now();
      const status = await post(text);
      if (status === 200) latencies.push(performance.now() - sentAt);
      else failed++;
    }
  }),
);
const durationS = (performance.now() - started) / 1000;
agent.destroy();
const result: BatchProbeResult = {
  ids: options.ids,
  durationS,
  requests: latencies.length,
  failed,
  recordsPerSecond: (latencies.length * options.records) / durationS,
  latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
};
process.stdout.write(`BATCH_RESULT ${JSON.stringify(result)}\n`);
