// Scenario 8 — hostile bodies: while N connections keep sending maximum-size hostile /write bodies (the
// heaviest a body may be and still be parsed, and millions of tiny objects), does /healthz keep answering?
// Its latency is measured one request after the other, first with no load (the baseline), then under each
// N; the broker's memory after. A figure, not a pass/fail test (issue 11: parse cost was once unbounded).
import { fileURLToPath } from 'node:url';
import { defaults } from '@tributary/core';
import type { HostileProbeResult } from '../hostile-probe.js';
import type { BenchContext } from '../scenario.js';
import { capture } from '../wrk.js';

export interface HostileBodiesResult {
  maxBodyBytes: number;
  maxElements: number;
  idle: HostileProbeResult;
  underLoad: Array<HostileProbeResult & { connections: number; brokerRssMb: number | undefined; brokerPeakMb: number | undefined }>;
}

export async function hostileBodies({ stack, settings, say }: BenchContext): Promise<HostileBodiesResult> {
  const probe = fileURLToPath(new URL('../hostile-probe.js', import.meta.url));
  const run = async (connections: number) => {
    const options = { url: stack.broker.url, connections, durationS: settings.measureS, maxBodyBytes: defaults.maxBodyBytes, maxElements: defaults.maxJsonElements };
    const output = await capture(process.execPath, [probe, JSON.stringify(options)]);
    const line = output.split('\n').find((l) => l.startsWith('HOSTILE_RESULT '));
    if (!line) throw new Error(`the hostile probe printed no result:\n${output}`);
    return JSON.parse(line.slice('HOSTILE_RESULT '.length)) as HostileProbeResult;
  };

  say(`hostile bodies: /healthz latency idle, then under 8 and 16 connections of ${defaults.maxBodyBytes / 1024 / 1024} MiB hostile bodies, ${settings.measureS} s each`);
  const idle = await run(0);
  say(`  idle: /healthz p99 ${idle.healthz.p99Ms.toFixed(2)} ms`);
  const underLoad: HostileBodiesResult['underLoad'] = [];
  for (const connections of [8, 16]) {
    const result = await run(connections);
    const memory = stack.broker.memory();
    underLoad.push({ ...result, connections, brokerRssMb: memory?.rssMb, brokerPeakMb: memory?.peakMb });
    say(
      `  ${connections} connections: ${result.hostile.requests} hostile bodies answered (${JSON.stringify(result.hostile.statuses)}), ` +
        `/healthz p50 ${result.healthz.p50Ms.toFixed(1)} ms, p99 ${result.healthz.p99Ms.toFixed(1)} ms, max ${result.healthz.maxMs.toFixed(1)} ms, ${result.healthz.failed} failed`,
    );
  }
  return { maxBodyBytes: defaults.maxBodyBytes, maxElements: defaults.maxJsonElements, idle, underLoad };
}
