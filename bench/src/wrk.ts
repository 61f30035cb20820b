// The HTTP load generator: wrk (C, epoll), in its own process.
//
// Why wrk and not autocannon: on this 2-core machine the load generator shares the CPU with what it measures.
// At ~45,000 req/s against the bare-Fastify baseline, wrk used ~0.3 core and autocannon 9 ~0.7 core, which
// would be taken from the broker and Redis; and autocannon keeps latencies in whole milliseconds (p50 "0 ms"),
// while wrk reports microseconds. wrk comes from Debian's packages (installed here when missing, as the
// bootstrap installs redis-server). Fixed-rate and read-after-write timing are not wrk's job: the end-to-end
// scenario has its own probe process (e2e-probe.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkOptions {
  /** Base URL with the path of every request, unless `paths` rotates through several. */
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  /** Paths sent in turn, one request each, instead of the URL's path. */
  paths?: readonly string[];
  connections: number;
  /** Whole seconds: wrk takes no fractions. */
  durationS: number;
  /** Seconds before wrk counts a request as timed out. */
  timeoutS?: number;
}

export interface WrkResult {
  connections: number;
  durationS: number;
  /** Responses received. */
  requests: number;
  /** Responses with a 2xx or 3xx status. */
  ok: number;
  /** ok / duration. */
  okPerSecond: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** Request latency (send to full response), microseconds. */
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** Fails with what to install when wrk is missing (`npm run bench` installs it on Debian: scripts/bootstrap.mjs). */
export function ensureWrk(): void {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  throw new Error('the benchmark needs wrk: apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)');
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-wrk-'));
  try {
    const script = join(dir, 'bench.lua');
    writeFileSync(script, luaScript(options));
    const args = [
      '-t1',
      `-c${options.connections}`,
      `-d${Math.max(1, Math.round(options.durationS))}s`,
      `--timeout`,
      `${options.timeoutS ?? 10}s`,
      '-s',
      script,
      options.url,
    ];
    const output = await capture('wrk', args);
    const line = output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${output}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length)) as Record<string, number>;
    const durationS = r['duration_us']! / 1e6;
    const ok = r['requests']! - r['status']!;
    return {
      connections: options.connections,
      durationS,
      requests: r['requests']!,
      ok,
      okPerSecond: ok / durationS,
      errors: { connect: r['connect']!, read: r['read']!, write: r['write']!, status: r['status']!, timeout: r['timeout']! },
      latencyUs: { p50: r['p50']!, p90: r['p90']!, p99: r['p99']!, max: r['max']!, mean: r['mean']! },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function luaScript({ method = 'GET', body, paths }: WrkOptions): string {
  const lines = [`wrk.method = "${method}"`];
  if (body !== undefined) {
    lines.push('wrk.headers["Content-Type"] = "application/json"', `wrk.body = ${longString(body)}`);
  }
  if (paths && paths.length > 0) {
    lines.push(
      `local paths = { ${paths.map((p) => longString(p)).join(', ')} }`,
      'local n = 0',
      'request = function()',
      '  n = n + 1',
      '  return wrk.format(nil, paths[n % #paths + 1])',
      'end',
    );
  }
  // One JSON line with everything, instead of parsing wrk's human-readable summary.
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("WRK_RESULT {\\"requests\\":%d,\\"duration_us\\":%d,\\"connect\\":%d,\\"read\\":%d,' +
      '\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%d,\\"p90\\":%d,\\"p99\\":%d,\\"max\\":%d,\\"mean\\":%.1f}\\n",',
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

/** A Lua long string whose brackets do not occur in `text`. */
function longString(text: string): string {
  let level = 1;
  while (text.includes(`]${'='.repeat(level)}]`)) level++;
  const eq = '='.repeat(level);
  return `[${eq}[${text}]${eq}]`;
}

export function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}:\n${out}`))));
  });
}
