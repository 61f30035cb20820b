// The batch-write baseline: Redis' own pipelined RPUSH throughput, measured by redis-benchmark (C, its own
// process) against the same Redis server, with list entries of the same size as the broker stores.
// `redis-benchmark -P 32 RPUSH <key> <entry>` is the issue's `-t rpush -P 32` with our key and entry size.
import { spawnSync } from 'node:child_process';
import { capture } from './wrk.js';

export interface RedisBenchmarkOptions {
  host: string;
  port: number;
  key: string;
  entry: string;
  requests: number;
  pipeline: number;
  clients: number;
}

export interface RedisBenchmarkResult {
  command: string;
  requests: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function haveRedisBenchmark(): boolean {
  return spawnSync('redis-benchmark', ['--version']).error === undefined;
}

export async function runRedisBenchmark(options: RedisBenchmarkOptions): Promise<RedisBenchmarkResult> {
  const args = [
    '-h', options.host,
    '-p', String(options.port),
    '-c', String(options.clients),
    '-n', String(options.requests),
    '-P', String(options.pipeline),
    '--csv',
    'RPUSH', options.key, options.entry,
  ];
  const output = await capture('redis-benchmark', args);
  // The last CSV line ends with rps, avg, min, p50, p95, p99, max; the test name before them is the command
  // line itself and may hold commas and quotes, so count fields from the end.
  const last = output.trim().split('\n').at(-1) ?? '';
  const fields = last.split(',').map((f) => Number(f.replaceAll('"', '')));
  const [rps, , , p50, , p99] = fields.slice(-7);
  if (rps === undefined || !Number.isFinite(rps)) throw new Error(`redis-benchmark printed no result:\n${output}`);
  return {
    command: `redis-benchmark -c ${options.clients} -P ${options.pipeline} -n ${options.requests} RPUSH <key> <${options.entry.length}-byte entry>`,
    requests: options.requests,
    opsPerSecond: rps,
    p50Ms: p50!,
    p99Ms: p99!,
  };
}
