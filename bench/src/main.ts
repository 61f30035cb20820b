// npm run bench [-- --quick] [--out DIR] [--only single,batch,read,e2e,cost,demo] [--cpu-prof broker,gateway]
//                          [--before RESULTS.json] [--notes NOTES.md] [--render RESULTS.json]
//
// Starts what is under test (stack.ts), runs each scenario with its load generator in a separate process,
// samples the services' memory after each, and writes bench/results/<date>-<host>[-quick].md and .json plus a
// summary on the terminal. Nothing here asserts a timing: the exit code says only whether the run worked.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, machineFacts, uptime } from './machine.js';
import { headlines, markdown, terminalSummary, upgrade, type Results } from './report.js';
import { settingsFor, type BenchContext } from './scenario.js';
import { batchWrite } from './scenarios/batch-write.js';
import { demo } from './scenarios/demo.js';
import { endToEnd } from './scenarios/end-to-end.js';
import { hostileBodies } from './scenarios/hostile-bodies.js';
import { idempotentWrite } from './scenarios/idempotent-write.js';
import { prefill, type PrefillResult } from './scenarios/prefill.js';
import { readCost } from './scenarios/read-cost.js';
import { readThroughput } from './scenarios/read-throughput.js';
import { singleWrite } from './scenarios/single-write.js';
import { startStack, type BenchStack, type ServiceName } from './stack.js';
import { ensureWrk } from './wrk.js';

const SCENARIOS = ['single', 'batch', 'ids', 'read', 'cost', 'e2e', 'hostile', 'demo'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const usage = `usage: npm run bench -- [--quick] [--out DIR] [--only ${SCENARIOS.join(',')}] [--brokers N] [--cpu-prof broker,gateway]
                        [--before RESULTS.json] [--notes NOTES.md]
  --quick      every scenario, short (about two minutes): a smoke test, figures are rough
  --out        where results go (default bench/results)
  --only       run only these scenarios (memory is sampled after each)
  --brokers    N broker processes behind the broker's port (node:cluster, broker/src/processes.ts); default 1
  --cpu-prof   run these services with node --cpu-prof; profiles go to <out>/profiles
               (summarize one with: npm run profile-summary -w @tributary/bench -- FILE)
  --before     a previous results .json to compare with, e.g. the run before a fix
  --notes      a Markdown file to include under "Profiling and changes"
  --render     measure nothing: write the .md of an existing results .json again (with --notes, --before)
Environment: REDIS_HOST/REDIS_PORT and ZOOKEEPER_HOST use those servers instead of throwaway ones.`;

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      brokers: { type: 'string', default: '1' },
      before: { type: 'string' },
      notes: { type: 'string' },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const only = new Set((values.only?.split(',') ?? SCENARIOS).map((s) => s.trim()).filter(Boolean));
  for (const name of only) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario "${name}"\n${usage}`);
  const profiled = new Set((values['cpu-prof']?.split(',') ?? []).map((s) => s.trim()).filter(Boolean));
  for (const name of profiled) if (name !== 'broker' && name !== 'gateway') throw new Error(`--cpu-prof takes broker and/or gateway, not "${name}"`);
  const brokers = Number(values.brokers);
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 64) throw new Error(`--brokers takes a number of broker processes, not "${values.brokers}"`);
  const outDir = resolve(values.out ?? fileURLToPath(new URL('../results/', import.meta.url)));
  const before = values.before ? upgrade(JSON.parse(readFileSync(values.before, 'utf8'))) : undefined;
  const notes = values.notes ? readFileSync(values.notes, 'utf8') : undefined;
  const beforeSummary = before && values.before
    ? { file: relative(process.cwd(), values.before), date: before.date, gitCommit: before.machine.gitCommit, headlines: headlines(before) }
    : undefined;

  if (values.render) {
    const results = upgrade(JSON.parse(readFileSync(values.render, 'utf8')));
    if (beforeSummary) results.before = beforeSummary;
    if (notes) results.notes = notes;
    writeFileSync(values.render, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(values.render.replace(/\.json$/, '.md'), markdown(results));
    process.stdout.write(terminalSummary(results));
    return 0;
  }

  const started = performance.now();
  const settings = settingsFor(values.quick ? 'quick' : 'full');
  const machine = machineFacts();
  say(`${settings.mode} run on ${machine.host}: ${machine.cores} cores, ${machine.uptimeBefore}`);
  ensureWrk();

  const runId = randomBytes(4).toString('hex');
  const stack = await startStack({
    env: process.env,
    runId,
    brokers,
    cpuProfile: profiled as Set<ServiceName>,
    profileDir: join(outDir, 'profiles'),
    say,
  });
  const stopOnSignal = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const results: Results = {
    format: 2,
    date: new Date().toISOString(),
    mode: settings.mode,
    settings,
    machine,
    stack: {
      redis: stack.redis.version,
      redisPersistence: stack.redis.persistence,
      externalRedis: stack.redis.external,
      externalZooKeeper: stack.zookeeper.external,
      loadGenerator: `${machine.wrk ?? 'wrk'} (-t1); ${machine.redisBenchmark ?? 'redis-benchmark: not installed'}; e2e, batch and NATS probes (node)`,
      ...(stack.nats ? { nats: stack.nats.version } : {}),
      brokerProcesses: brokers,
    },
    scenarios: {},
    memory: [],
    notMeasured: [],
    durationS: 0,
    ...(beforeSummary ? { before: beforeSummary } : {}),
    ...(notes ? { notes } : {}),
  };

  try {
    await sampleMemory(stack, results, 'start (idle)');
    const context: BenchContext = { stack, settings, runId, say };
    const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        const result = await run();
        await sampleMemory(stack, results, name);
        return result;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        say(`${name} failed: ${message}`);
        results.notMeasured.push(`${name}: failed (${message.split('\n')[0]})`);
        return undefined;
      }
    };
    const want = (name: ScenarioName) => only.has(name);

    if (want('single')) results.scenarios.singleWrite = await attempt('1 single-record write', () => singleWrite(context));
    if (want('batch')) results.scenarios.batchWrite = await attempt('2 batch write', () => batchWrite(context));
    if (want('ids')) results.scenarios.idempotentWrite = await attempt('6 batches of 1,000 at 1 and 8 connections, with and without ids', () => idempotentWrite(context));
    let filled: PrefillResult | undefined;
    if (want('read') || want('cost')) filled = results.scenarios.prefill = await attempt('filling read partitions', () => prefill(context));
    if (want('read')) {
      results.scenarios.readThroughput = filled
        ? await attempt('3 read throughput', () => readThroughput(context, filled))
        : skip(results, '3 read throughput', 'its partition could not be filled');
    }
    if (want('cost')) {
      results.scenarios.readCost = filled
        ? await attempt('5 read cost', () => readCost(context, filled))
        : skip(results, '5 read cost', 'its partitions could not be filled');
    }
    if (want('e2e')) results.scenarios.endToEnd = await attempt('4 end-to-end latency', () => endToEnd(context));
    if (want('hostile')) results.scenarios.hostileBodies = await attempt('8 hostile bodies', () => hostileBodies(context));
    if (want('demo')) results.scenarios.demo = await attempt('9 the demo under load', () => demo(context));
    if (results.memory.length > 1) {
      // Right after a scenario V8 still holds its garbage; idle, its memory reducer gives part of it back.
      say(`idle for ${settings.settleS} s, then memory once more`);
      await new Promise((resolve) => setTimeout(resolve, settings.settleS * 1000));
      await sampleMemory(stack, results, `${settings.settleS} s idle after the last scenario`, { settled: true });
    }
    const rewrites = /aof_rewrites:(\d+)/.exec(await stack.redisClient.info('persistence'))?.[1];
    if (rewrites !== undefined) results.stack.redisPersistence += `; ${rewrites} AOF rewrite(s) during the run`;
  } finally {
    await stack.stop();
  }

  results.machine.loadAfter = loadAverage();
  results.machine.uptimeAfter = uptime();
  results.durationS = (performance.now() - started) / 1000;
  for (const scenario of SCENARIOS.filter((name) => !only.has(name))) results.notMeasured.push(`${scenario}: not selected (--only)`);

  mkdirSync(outDir, { recursive: true });
  // A run of some scenarios must not overwrite the day's full run.
  const onlySuffix = values.only ? `-${[...only].join('-')}` : '';
  const base = join(outDir, `${results.date.slice(0, 10)}-${machine.host.replace(/[^A-Za-z0-9.-]/g, '_')}${brokers > 1 ? `-brokers${brokers}` : ''}${settings.mode === 'quick' ? '-quick' : ''}${onlySuffix}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown(results));
  process.stdout.write(terminalSummary(results));
  say(`results: ${relative(process.cwd(), base)}.md and .json (${Math.round(results.durationS)} s)`);
  if (profiled.size > 0) say(`profiles: ${relative(process.cwd(), join(outDir, 'profiles'))}/`);
  return results.notMeasured.some((n) => n.includes('failed')) ? 1 : 0;
}

async function sampleMemory(stack: BenchStack, results: Results, after: string, { settled = false } = {}): Promise<void> {
  const broker = stack.broker.memory();
  const gateway = stack.gateway.memory();
  let redisMb: number | undefined;
  try {
    redisMb = await stack.redisMemoryMb();
  } catch {
    redisMb = undefined;
  }
  results.memory.push({ after, ...(settled ? { settled } : {}), ...(broker ? { broker } : {}), ...(gateway ? { gateway } : {}), ...(redisMb !== undefined ? { redisMb } : {}) });
}

function skip(results: Results, name: string, why: string): undefined {
  results.notMeasured.push(`${name}: ${why}`);
  return undefined;
}

process.on('unhandledRejection', (err) => {
  say(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
