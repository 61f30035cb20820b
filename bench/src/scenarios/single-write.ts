// Scenario 1 — single-record writes, saturating: POST /write/:topic with one ~130-byte record per request,
// against the bare-Fastify baseline route that parses the same body and answers a constant. Rounds alternate
// baseline and broker, so a burst of load from elsewhere on the machine hits both alike.
import { createTopic } from '../client.js';
import { singleBody } from '../records.js';
import { cpuPer, summarize, withCpu, type BenchContext, type CpuUse, type SeriesSummary } from '../scenario.js';
import { ratio } from '../stats.js';
import { runWrk, type WrkResult } from '../wrk.js';

export interface SingleWriteResult {
  connections: number;
  bodyBytes: number;
  topicPartitions: number;
  broker: SeriesSummary;
  baseline: SeriesSummary;
  /** broker req/s ÷ baseline req/s (medians). */
  ratio: number;
  /** CPU microseconds per request: the broker's and Redis' while the broker was loaded, the baseline's. */
  cpuUsPerRequest: { broker?: number | undefined; redis?: number | undefined; baseline?: number | undefined };
  runs: { broker: Run[]; baseline: Run[] };
}

type Run = WrkResult & { cpu: CpuUse };

export async function singleWrite({ stack, settings, runId, say }: BenchContext): Promise<SingleWriteResult> {
  const topic = `bench-single-${runId}`;
  await createTopic(stack.broker.url, topic, 1);
  const body = singleBody('user-42');
  const connections = settings.connections.singleWrite;
  const load = (url: string, durationS: number) =>
    withCpu(stack, () => runWrk({ url: `${url}/write/${topic}`, method: 'POST', body, connections, durationS }));

  say(`single-record write: warm-up ${settings.warmupS} s each`);
  await load(stack.baseline.url, settings.warmupS);
  await load(stack.broker.url, settings.warmupS);

  const runs = { broker: [] as Run[], baseline: [] as Run[] };
  for (let round = 1; round <= settings.rounds; round++) {
    runs.baseline.push(await load(stack.baseline.url, settings.measureS));
    runs.broker.push(await load(stack.broker.url, settings.measureS));
    say(
      `  round ${round}: baseline ${Math.round(runs.baseline.at(-1)!.okPerSecond)} req/s, ` +
        `broker ${Math.round(runs.broker.at(-1)!.okPerSecond)} req/s`,
    );
  }
  const broker = summarize(runs.broker);
  const baseline = summarize(runs.baseline);
  return {
    connections,
    bodyBytes: Buffer.byteLength(body),
    topicPartitions: 1,
    broker,
    baseline,
    ratio: ratio(broker.perSecond, baseline.perSecond),
    cpuUsPerRequest: {
      broker: cpuPer(runs.broker, okTotal(runs.broker), 'broker'),
      redis: cpuPer(runs.broker, okTotal(runs.broker), 'redis'),
      baseline: cpuPer(runs.baseline, okTotal(runs.baseline), 'baseline'),
    },
    runs,
  };
}

const okTotal = (runs: readonly WrkResult[]) => runs.reduce((n, r) => n + r.ok, 0);
