// The hostile-bodies probe, its own process: keeps `connections` maximum-size hostile bodies in flight
// against the broker for a while, and meanwhile asks GET /healthz one request after the other, timing each.
// Two bodies, alternating: the most a body may cost and still be parsed (elements just under
// MAX_JSON_ELEMENTS, a /write body of MAX_BODY_BYTES, to a topic that does not exist, so it is parsed and
// validated in full and then refused), and a body of millions of tiny objects that the element bound
// refuses before parsing.
//
//   node hostile-probe.js '{"url":…,"connections":8,"durationS":8,"maxBodyBytes":4194304,"maxElements":250000}'
//
// Prints one line: HOSTILE_RESULT <json>.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';

interface ProbeOptions {
  url: string;
  connections: number;
  durationS: number;
  maxBodyBytes: number;
  maxElements: number;
}

export interface HostileProbeResult {
  durationS: number;
  hostile: { requests: number; bytes: number; statuses: Record<string, number> };
  healthz: { requests: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProbeOptions;

/** Just under the element bound, padded to the byte limit with one long string: valid, parsed in full. */
function heaviestAccepted(): Buffer {
  const elements = new Array<string>(options.maxElements - 10).fill('0').join(',');
  const head = `{"key":"k","value":[${elements},"`;
  const tail = '"]}';
  const pad = Math.max(0, options.maxBodyBytes - head.length - tail.length - 16);
  return Buffer.from(head + 'x'.repeat(pad) + tail);
}

function tinyObjects(): Buffer {
  const head = '{"key":"k","value":[';
  const count = Math.floor((options.maxBodyBytes - head.length - 4) / 3);
  return Buffer.from(`${head}${'{},'.repeat(count)}{}]}`);
}

const bodies = [heaviestAccepted(), tinyObjects()];
const writeUrl = `${options.url}/write/no-such-topic-hostile-bench`;
const hostileAgent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(url: string, agent: http.Agent, body?: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: body ? 'POST' : 'GET', agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(30_000, () => req.destroy());
    req.end(body);
  });
}

const deadline = performance.now() + options.durationS * 1000;
const statuses: Record<string, number> = {};
let hostileRequests = 0;
let hostileBytes = 0;

async function hostileLoop(index: number): Promise<void> {
  for (let i = index; performance.now() < deadline; i++) {
    const body = bodies[i % bodies.length]!;
    const status = await request(writeUrl, hostileAgent, body);
    statuses[status] = (statuses[status] ?? 0) + 1;
    hostileRequests++;
    hostileBytes += body.length;
  }
}

const latencies: number[] = [];
let healthFailed = 0;
async function healthLoop(): Promise<void> {
  while (performance.now() < deadline) {
    const started = performance.now();
    const status = await request(`${options.url}/healthz`, healthAgent);
    latencies.push(performance.now() - started);
    if (status !== 200) healthFailed++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const started = performance.now();
await Promise.all([...Array.from({ length: options.connections }, (_, i) => hostileLoop(i)), healthLoop()]);
const result: HostileProbeResult = {
  durationS: (performance.now() - started) / 1000,
  hostile: { requests: hostileRequests, bytes: hostileBytes, statuses },
  healthz: {
    requests: latencies.length,
    failed: healthFailed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
  },
};
process.stdout.write(`HOSTILE_RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
