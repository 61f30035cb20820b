// What remembering idempotency ids costs Redis in an append of 1,000 records: runs an append script with
// appendRecords' keys and arguments against a throwaway redis-server (AOF, appendfsync everysec, as the bench
// runs it), with every record carrying a never-seen id or none, and prints Redis' CPU per record (INFO cpu),
// memory per id (INFO memory) and AOF bytes per record.
//
//   [WINDOW_MS=120000] node bench/results/experiments/dedup-state/dedup-cost.mjs <script.lua> <ids: yes|no> [calls] [in flight]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../../core/package.json', import.meta.url));
const { Redis } = require('ioredis');
const [script, withIds = 'yes', calls = '300', conc = '2'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'dedupb-'));
const port = 20000 + Math.floor(Math.random() * 10000);
const server = spawn('redis-server', ['--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--auto-aof-rewrite-percentage', '0'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 400));
const redis = new Redis({ port });
const sha = await redis.script('LOAD', readFileSync(script, 'utf8'));
const tag = '{bench:0}';
const state = `trib:${tag}:state`;
await redis.hset(state, 'next', 0, 'start', 0);
const n = 1000;
const keys = (base) => [state, `trib:${tag}:segments`, `trib:${tag}:appended`, `trib:${tag}:ids`, `trib:${tag}:ids-log`, ...[0, 1, 2, 3].map((i) => `trib:${tag}:seg:${base + i * 1000}`)];
const payload = '{"key":"user-42","value":{"event":"page_view","page":"/products/4242","referrer":"/search?q=kafka","session":"s-1f2e3d4c5b6a","ms":1712}}';
const payloads = Array(n).fill(payload);
const ids = yes(withIds);
function yes(v) { return v === 'yes'; }
let next = 0;
let sequence = 0;
const info = async (section, names) => { const c = await redis.info(section); return names.reduce((a, k) => a + Number(new RegExp(k + ':([\\d.]+)').exec(c)[1]), 0); };
const aofBytes = () => { try { return statSync(join(dir, 'appendonlydir')).isDirectory() ? 0 : 0; } catch { return 0; } };
void aofBytes;
const mem0 = await info('memory', ['used_memory']);
const aof0 = await info('persistence', ['aof_current_size']);
const cpu0 = await info('cpu', ['used_cpu_sys', 'used_cpu_user']);
const t0 = process.hrtime.bigint();
let done = 0;
async function worker() {
  while (done < Number(calls)) {
    done++;
    const base = next - (next % 1000);
    const k = keys(base);
    const args = ids ? [Number(process.env.WINDOW_MS ?? 120_000), ...Array.from({ length: n }, () => `order-${(sequence++).toString(36)}-7f3a9c`), ...payloads] : [0, ...payloads];
    const r = await redis.evalsha(sha, k.length, ...k, 1000, base, ...args);
    if (r[0] < 0) { console.error('err', r); process.exit(1); }
    next = r[0] + n;
  }
}
await Promise.all(Array.from({ length: Number(conc) }, worker));
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu1 = await info('cpu', ['used_cpu_sys', 'used_cpu_user']);
const mem1 = await info('memory', ['used_memory']);
const aof1 = await info('persistence', ['aof_current_size']);
const records = Number(calls) * n;
// Memory of the records themselves is the same with and without ids: the difference between two runs is the ids'.
console.log(JSON.stringify({ script, ids, records, redisCpuPerRecordUs: +(((cpu1 - cpu0) * 1e6) / records).toFixed(3), memoryPerRecordB: +((mem1 - mem0) / records).toFixed(1), aofPerRecordB: +((aof1 - aof0) / records).toFixed(1), recordsPerS: Math.round(records / wall) }));
redis.disconnect();
server.kill();
rmSync(dir, { recursive: true, force: true });
