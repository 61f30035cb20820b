// The end-to-end probe, its own process (scenario 4): writes single records at a fixed rate to one partition
// while a long-polling reader waits on it, and times each record from the write's acknowledgement to the
// reader having it. Writer and reader share this process' clock (performance.now), so no clock skew enters.
//
//   node e2e-probe.js '{"brokerUrl":…,"gatewayUrl":…,"topic":…,"email":…,"key":…,"rate":1000,"warmupS":2,"measureS":20}'
//
// The writer is open-loop: record i is due at t0 + i/rate and sent whether or not earlier writes were answered,
// so a slow broker shows up as latency, not as a lower rate. Every millisecond it sends the records that fell
// due as one request (Kafka's producer with linger.ms=1): at 1,000 records/s that is about one record per
// request, at 20,000 about 20. Prints one line: E2E_RESULT <json>.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { max, percentile } from './stats.js';

interface ProbeOptions {
  brokerUrl: string;
  gatewayUrl: string;
  topic: string;
  email: string;
  key: string;
  rate: number;
  warmupS: number;
  measureS: number;
}

export interface ProbeResult {
  rate: number;
  sent: number;
  /** Write requests the records went in. */
  requests: number;
  /** Records written after the warm-up and timed. */
  measured: number;
  /** Acknowledged but never read within 5 s after the last write: should be 0. */
  missing: number;
  writeErrors: number;
  readErrors: number;
  reads: number;
  /** Records the reader had before their write was acknowledged (counted as 0 ms). */
  readBeforeAck: number;
  /** Write acknowledgement → reader has the record, ms. */
  ackToRead: { p50: number; p99: number; max: number };
  /** Write sent → acknowledged, ms. */
  writeLatency: { p50: number; p99: number; max: number };
  achievedRate: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProbeOptions;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Timing {
  sentAt: number;
  ackedAt?: number;
}

const writes = new Map<number, Timing>(); // by offset
const readAt = new Map<number, number>(); // by offset
let writeErrors = 0;
let readErrors = 0;
let reads = 0;
let reading = true;

async function reader(): Promise<void> {
  const url = `${options.gatewayUrl}/read/${options.email}/${options.topic}/${options.key}?max=1000&wait_ms=1000`;
  while (reading) {
    try {
      const { status, text } = await request('GET', url);
      const now = performance.now();
      reads++;
      if (status !== 200) {
        readErrors++;
        continue;
      }
      for (const message of (JSON.parse(text) as { messages: Array<{ offset: number }> }).messages) readAt.set(message.offset, now);
    } catch {
      readErrors++;
      await sleep(10);
    }
  }
}

async function writer(): Promise<{ sent: number; requests: number; measuredFrom: number; elapsedS: number }> {
  const record = JSON.stringify({ key: options.key, value: { event: 'e2e', page: '/probe', n: 0 } });
  const total = Math.round(options.rate * (options.warmupS + options.measureS));
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let sent = 0;
  let requests = 0;
  const send = (count: number) => {
    const body = count === 1 ? record : `{"records":[${new Array<string>(count).fill(record).join(',')}]}`;
    const timing: Timing = { sentAt: performance.now() };
    const done = request('POST', `${options.brokerUrl}/write/${options.topic}`, body)
      .then(({ status, text }) => {
        if (status !== 200) {
          writeErrors += count;
          return;
        }
        timing.ackedAt = performance.now();
        const answer = JSON.parse(text) as { offset: number; results?: Array<{ offset: number }> };
        for (const { offset } of answer.results ?? [answer]) writes.set(offset, timing);
      })
      .catch(() => void (writeErrors += count))
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * options.rate) / 1000));
    if (due > sent) {
      send(due - sent);
      requests++;
      sent = due;
    }
    await sleep(1);
  }
  const elapsedS = (performance.now() - t0) / 1000;
  await Promise.all(inFlight);
  return { sent, requests, measuredFrom: t0 + options.warmupS * 1000, elapsedS };
}

const reading$ = reader();
await sleep(200); // the first long poll is waiting before the first write
const { sent, requests, measuredFrom, elapsedS } = await writer();

// Wait (bounded) for the reader to catch up with every acknowledged write.
const deadline = performance.now() + 5000;
while (performance.now() < deadline && [...writes.keys()].some((offset) => !readAt.has(offset))) await sleep(20);
reading = false;
await reading$;
agent.destroy();

const measured = [...writes.entries()].filter(([, t]) => t.sentAt >= measuredFrom && t.ackedAt !== undefined);
const ackToRead: number[] = [];
let readBeforeAck = 0;
let missing = 0;
for (const [offset, timing] of measured) {
  const at = readAt.get(offset);
  if (at === undefined) {
    missing++;
    continue;
  }
  const latency = at - timing.ackedAt!;
  if (latency < 0) readBeforeAck++;
  ackToRead.push(Math.max(0, latency));
}
const writeLatency = measured.map(([, t]) => t.ackedAt! - t.sentAt);
const summary = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: max(values) });
const result: ProbeResult = {
  rate: options.rate,
  sent,
  requests,
  measured: measured.length,
  missing,
  writeErrors,
  readErrors,
  reads,
  readBeforeAck,
  ackToRead: summary(ackToRead),
  writeLatency: summary(writeLatency),
  achievedRate: sent / elapsedS,
};
process.stdout.write(`E2E_RESULT ${JSON.stringify(result)}\n`);
