// Scenario 4 — end-to-end latency: records written at fixed rates (1,000 and 20,000 records/s) while a
// long-polling reader waits; time from write acknowledgement to the reader having the record. The probe
// (e2e-probe.ts) runs in its own process, like the other load generators; each rate gets a topic and a
// reader of its own.
import { fileURLToPath } from 'node:url';
import { createTopic, subscribe } from '../client.js';
import type { ProbeResult } from '../e2e-probe.js';
import type { BenchContext } from '../scenario.js';
import { capture } from '../wrk.js';

export type EndToEndResult = ProbeResult & { warmupS: number; measureS: number };

export async function endToEnd({ stack, settings, runId, say }: BenchContext): Promise<EndToEndResult[]> {
  const { rates, warmupS, measureS } = settings.e2e;
  const probe = fileURLToPath(new URL('../e2e-probe.js', import.meta.url));
  const results: EndToEndResult[] = [];
  for (const rate of rates) {
    const topic = `bench-e2e-${rate}-${runId}`;
    const email = `e2e.${rate}.${runId}@bench.example`;
    await createTopic(stack.broker.url, topic, 1);
    await subscribe(stack.gateway.url, email, topic, 'latest');
    say(`end-to-end: ${rate} records/s for ${warmupS} s warm-up + ${measureS} s, one long-polling reader`);
    const options = { brokerUrl: stack.broker.url, gatewayUrl: stack.gateway.url, topic, email, key: 'probe', rate, warmupS, measureS };
    const output = await capture(process.execPath, [probe, JSON.stringify(options)]);
    const line = output.split('\n').find((l) => l.startsWith('E2E_RESULT '));
    if (!line) throw new Error(`the end-to-end probe printed no result:\n${output}`);
    const result = JSON.parse(line.slice('E2E_RESULT '.length)) as ProbeResult;
    say(
      `  ack → read p50 ${result.ackToRead.p50.toFixed(2)} ms, p99 ${result.ackToRead.p99.toFixed(2)} ms, max ${result.ackToRead.max.toFixed(2)} ms ` +
        `(${(result.sent / result.requests).toFixed(1)} records per request)`,
    );
    results.push({ ...result, warmupS, measureS });
  }
  return results;
}
