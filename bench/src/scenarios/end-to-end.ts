// Scenario 4 — end-to-end latency: records written at a fixed 1,000/s while a long-polling reader waits;
// time from write acknowledgement to the reader having the record. The probe (e2e-probe.ts) runs in its own
// process, like the other load generators.
import { fileURLToPath } from 'node:url';
import { createTopic, subscribe } from '../client.js';
import type { ProbeResult } from '../e2e-probe.js';
import type { BenchContext } from '../scenario.js';
import { capture } from '../wrk.js';

export type EndToEndResult = ProbeResult & { warmupS: number; measureS: number };

export async function endToEnd({ stack, settings, runId, say }: BenchContext): Promise<EndToEndResult> {
  const topic = `bench-e2e-${runId}`;
  const email = `e2e.${runId}@bench.example`;
  await createTopic(stack.broker.url, topic, 1);
  await subscribe(stack.gateway.url, email, topic, 'latest');
  const { rate, warmupS, measureS } = settings.e2e;
  say(`end-to-end: ${rate} records/s for ${warmupS} s warm-up + ${measureS} s, one long-polling reader`);
  const probe = fileURLToPath(new URL('../e2e-probe.js', import.meta.url));
  const options = { brokerUrl: stack.broker.url, gatewayUrl: stack.gateway.url, topic, email, key: 'probe', rate, warmupS, measureS };
  const output = await capture(process.execPath, [probe, JSON.stringify(options)]);
  const line = output.split('\n').find((l) => l.startsWith('E2E_RESULT '));
  if (!line) throw new Error(`the end-to-end probe printed no result:\n${output}`);
  const result = JSON.parse(line.slice('E2E_RESULT '.length)) as ProbeResult;
  say(`  ack → read p50 ${result.ackToRead.p50.toFixed(2)} ms, p99 ${result.ackToRead.p99.toFixed(2)} ms, max ${result.ackToRead.max.toFixed(2)} ms`);
  return { ...result, warmupS, measureS };
}
