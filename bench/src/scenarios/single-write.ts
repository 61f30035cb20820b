// Scenario 1 — single-record writes, saturating: POST /write/:topic with one ~130-byte record per request,
// against the peers a user would pick instead, each measured with the same load in the same rounds:
//   - a bare Fastify route that parses the same body and answers a constant (the ceiling of HTTP + JSON in Node);
//   - Fastify + one XADD per request on the same Redis (xadd-server.ts): what a Node developer would write;
//   - NATS JetStream, file storage, the same bytes as one message with as many publishes in flight as wrk has
//     connections (nats-probe.ts), when nats-server is installed.
// Rounds go through every system in turn, so a burst of load from elsewhere on the machine hits all alike.
// Server CPU per write counts every process that does the work: broker + Redis, Node + Redis, nats-server.
import { fileURLToPath } from 'node:url';
import { createTopic } from '../client.js';
import type { NatsProbeResult } from '../nats-probe.js';
import { singleBody } from '../records.js';
import { cpuPer, summarize, withCpu, type BenchContext, type CpuUse, type SeriesSummary } from '../scenario.js';
import { median, max, ratio } from '../stats.js';
import { capture, runWrk, type WrkResult } from '../wrk.js';

export interface SingleWriteResult {
  connections: number;
  bodyBytes: number;
  topicPartitions: number;
  broker: SeriesSummary;
  baseline: SeriesSummary;
  xadd: SeriesSummary;
  /** Undefined when nats-server is not installed. */
  nats?: SeriesSummary | undefined;
  natsVersion?: string | undefined;
  /** Broker requests per append script call Redis ran while the broker was loaded (the group commit's effect). */
  requestsPerAppendCall?: number | undefined;
  /** broker req/s ÷ bare-Fastify req/s (medians). */
  ratio: number;
  /** broker req/s ÷ Fastify + XADD req/s (medians): the target is ≥ 1.2. */
  ratioToXadd: number;
  /**
   * CPU microseconds per write, per process, while that system was loaded: the broker's and Redis' for
   * Tributary, the XADD server's and Redis' for the XADD peer, nats-server's, the bare route's.
   */
  cpuUsPerRequest: {
    broker?: number | undefined;
    redis?: number | undefined;
    baseline?: number | undefined;
    xadd?: number | undefined;
    xaddRedis?: number | undefined;
    nats?: number | undefined;
  };
  runs: { broker: Run[]; baseline: Run[]; xadd: Run[]; nats: NatsRun[] };
}

type Run = WrkResult & { cpu: CpuUse };
type NatsRun = NatsProbeResult & { cpu: CpuUse };

export async function singleWrite({ stack, settings, runId, say }: BenchContext): Promise<SingleWriteResult> {
  const topic = `bench-single-${runId}`;
  await createTopic(stack.broker.url, topic, 1);
  const body = singleBody('user-42');
  const connections = settings.connections.singleWrite;
  const load = (url: string, durationS: number) =>
    withCpu(stack, () => runWrk({ url: `${url}/write/${topic}`, method: 'POST', body, connections, durationS }));
  const nats = stack.nats;
  const probe = fileURLToPath(new URL('../nats-probe.js', import.meta.url));
  const publish = (durationS: number) =>
    withCpu(stack, async () => {
      const options = { servers: nats!.servers, stream: 'BENCH', subject: `bench.${topic}`, inFlight: connections, durationS, payload: body };
      const output = await capture(process.execPath, [probe, JSON.stringify(options)]);
      const line = output.split('\n').find((l) => l.startsWith('NATS_RESULT '));
      if (!line) throw new Error(`the NATS probe printed no result:\n${output}`);
      return JSON.parse(line.slice('NATS_RESULT '.length)) as NatsProbeResult;
    });

  say(`single-record write: warm-up ${settings.warmupS} s each`);
  await load(stack.baseline.url, settings.warmupS);
  await load(stack.broker.url, settings.warmupS);
  await load(stack.xadd.url, settings.warmupS);
  if (nats) await publish(settings.warmupS);

  const runs = { broker: [] as Run[], baseline: [] as Run[], xadd: [] as Run[], nats: [] as NatsRun[] };
  let scriptCalls = 0;
  for (let round = 1; round <= settings.rounds; round++) {
    runs.baseline.push(await load(stack.baseline.url, settings.measureS));
    const calls = await stack.redisScriptCalls();
    runs.broker.push(await load(stack.broker.url, settings.measureS));
    scriptCalls += (await stack.redisScriptCalls()) - calls;
    runs.xadd.push(await load(stack.xadd.url, settings.measureS));
    if (nats) runs.nats.push(await publish(settings.measureS));
    say(
      `  round ${round}: bare Fastify ${Math.round(runs.baseline.at(-1)!.okPerSecond)} req/s, ` +
        `broker ${Math.round(runs.broker.at(-1)!.okPerSecond)} req/s, ` +
        `Fastify + XADD ${Math.round(runs.xadd.at(-1)!.okPerSecond)} req/s` +
        (nats ? `, NATS JetStream ${Math.round(runs.nats.at(-1)!.ackedPerSecond)} msg/s` : ''),
    );
  }
  // The peers' data is not part of what later scenarios measure.
  await stack.redisClient.del(`trib-bench:xadd:${topic}`);

  const broker = summarize(runs.broker);
  const baseline = summarize(runs.baseline);
  const xadd = summarize(runs.xadd);
  const natsSummary = nats ? summarizeNats(runs.nats) : undefined;
  const ok = (series: readonly WrkResult[]) => series.reduce((n, r) => n + r.ok, 0);
  return {
    connections,
    bodyBytes: Buffer.byteLength(body),
    topicPartitions: 1,
    broker,
    baseline,
    xadd,
    nats: natsSummary,
    natsVersion: nats?.version,
    requestsPerAppendCall: scriptCalls > 0 ? ok(runs.broker) / scriptCalls : undefined,
    ratio: ratio(broker.perSecond, baseline.perSecond),
    ratioToXadd: ratio(broker.perSecond, xadd.perSecond),
    cpuUsPerRequest: {
      broker: cpuPer(runs.broker, ok(runs.broker), 'broker'),
      redis: cpuPer(runs.broker, ok(runs.broker), 'redis'),
      baseline: cpuPer(runs.baseline, ok(runs.baseline), 'baseline'),
      xadd: cpuPer(runs.xadd, ok(runs.xadd), 'xadd'),
      xaddRedis: cpuPer(runs.xadd, ok(runs.xadd), 'redis'),
      nats: nats ? cpuPer(runs.nats, runs.nats.reduce((n, r) => n + r.acked, 0), 'nats') : undefined,
    },
    runs,
  };
}

function summarizeNats(runs: readonly NatsProbeResult[]): SeriesSummary {
  return {
    perSecond: median(runs.map((r) => r.ackedPerSecond)),
    p50Ms: median(runs.map((r) => r.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.latencyMs.p99)),
    maxMs: max(runs.map((r) => r.latencyMs.max)),
    failures: runs.reduce((n, r) => n + r.failed, 0),
  };
}
