// What one appendRecords call costs Redis, and which of its commands: runs a script with appendRecords' keys
// and arguments against a throwaway redis-server (AOF, appendfsync everysec, as the bench runs it) and
// prints INFO commandstats (time inside each command) and Redis' CPU per call (INFO cpu, all of it).
//
//   node bench/results/experiments/append-script/script-cost.mjs <script.lua> [records per call] [calls] [in flight]
//
// e.g. core/lua/appendRecords.lua, or a copy with a line removed to see what that line costs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../../core/package.json', import.meta.url));
const { Redis } = require('ioredis');
const [script, perCall = '1', calls = '100000', conc = '32'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'luab-'));
const port = 20000 + Math.floor(Math.random() * 10000);
const server = spawn('redis-server', ['--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--auto-aof-rewrite-percentage', '0'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 400));
const redis = new Redis({ port });
const sha = await redis.script('LOAD', readFileSync(script, 'utf8'));
const t = 'bench';
const state = `trib:{${t}:0}:state`;
await redis.hset(state, 'next', 0, 'start', 0);
const keys = (base) => [state, `trib:{${t}:0}:segments`, `trib:{${t}:0}:appended`, `trib:{${t}:0}:ids`, `trib:{${t}:0}:ids-log`, ...[0, 1, 2, 3].map((i) => `trib:{${t}:0}:seg:${base + i * 1000}`)]; // room for the records in flight
const payload = '{"key":"user-42","value":{"event":"page_view","page":"/products/4242","referrer":"/search?q=kafka","session":"s-1f2e3d4c5b6a","ms":1712}}';
const n = Number(perCall);
let next = 0;
await redis.config('RESETSTAT');
const cpuOf = async () => { const c = await redis.info('cpu'); return ['used_cpu_sys','used_cpu_user'].reduce((a,k)=>a+Number(new RegExp(k+':([\\d.]+)').exec(c)[1]),0); };
const cpu0 = await cpuOf();
const t0 = process.hrtime.bigint();
let done = 0;
async function worker() {
  while (done < Number(calls)) {
    done++;
    const base = next - (next % 1000);
    const k = keys(base);
    const r = await redis.evalsha(sha, k.length, ...k, 1000, base, 0, ...Array(n).fill(payload));
    if (r[0] < 0) { console.error('err', r); process.exit(1); }
    next = r[0] + n;
  }
}
await Promise.all(Array.from({ length: Number(conc) }, worker));
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu1 = await cpuOf();
const stats = await redis.info('commandstats');
const cpu = await redis.info('cpu');
for (const line of stats.split('\n')) if (line.startsWith('cmdstat_')) console.log(line.trim());
console.log(cpu.split('\n').filter((l) => /used_cpu_(sys|user):/.test(l)).join(' '));
console.log(`redis cpu per call ${((cpu1-cpu0)*1e6/Number(calls)).toFixed(2)} us`);
console.log(`wall ${wall.toFixed(2)} s, ${(Number(calls) / wall).toFixed(0)} calls/s`);
redis.disconnect();
server.kill();
rmSync(dir, { recursive: true, force: true });
