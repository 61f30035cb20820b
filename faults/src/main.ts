// npm run test:faults [-- --quick] [--only broker-kill,redis-pause,...] [--out DIR]
//
// Runs each fault scenario on a stack of its own (run.ts), prints its row as it finishes and every row at
// the end, and writes faults/results/<date>[-quick][-partial].md. Exits 1 if any scenario lost, duplicated,
// misplaced or reordered a record, left a gap, failed to deliver an acked record, stored one whose write
// failed, or could not be run to the end.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { details, markdown, passed, textTable, type RunReport } from './report.js';
import { runScenario, type ScenarioResult } from './run.js';
import { scenarios } from './scenarios.js';
import { settingsFor } from './settings.js';
import type { FaultStack } from './stack.js';

const names = scenarios.map((scenario) => scenario.name);
const usage = `usage: npm run test:faults -- [--quick] [--only ${names.join(',')}] [--out DIR]
  --quick   shorter phases around each fault (about 2 minutes in all instead of about 4)
  --only    run only these scenarios
  --out     where the results file goes (default faults/results)`;

const say = (line: string) => process.stderr.write(`[faults] ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const only = values.only?.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of only ?? []) if (!names.includes(name)) throw new Error(`unknown scenario "${name}"\n${usage}`);
  const chosen = scenarios.filter((scenario) => !only || only.includes(scenario.name));
  const settings = settingsFor(values.quick ? 'quick' : 'full');
  const outDir = resolve(values.out ?? fileURLToPath(new URL('../results/', import.meta.url)));

  const started = Date.now();
  const runTag = randomBytes(3).toString('hex');
  const machine = machineFacts();
  const running = new Set<FaultStack>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      void Promise.all([...running].map((stack) => stack.stop())).then(() => process.exit(130));
    });
  }
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    const result = await runScenario(scenario, settings, { runTag, say, running });
    results.push(result);
    process.stdout.write(`\n== ${result.name}: ${result.title} (${result.durationS} s)\n${details(result).join('\n')}\n${textTable([result])}\n`);
  }

  const report: RunReport = {
    date: new Date().toISOString(),
    command: `npm run test:faults${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    settings,
    machine: { ...machine, 'load average after': loadavg().map((l) => l.toFixed(2)).join(' ') },
    durationS: (Date.now() - started) / 1000,
    scenarios: results,
  };
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${report.date.slice(0, 10)}${values.quick ? '-quick' : ''}${only ? '-partial' : ''}.md`);
  writeFileSync(file, markdown(report));

  const failed = results.filter((result) => !passed(result));
  process.stdout.write(`\n${textTable(results)}\n\n`);
  say(`${results.length - failed.length} of ${results.length} scenarios passed in ${Math.round(report.durationS)} s; results in ${relative(process.cwd(), file)}`);
  if (failed.length > 0) say(`failed: ${failed.map((result) => result.name).join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

function machineFacts(): Record<string, string> {
  const run = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  const commit = run('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no']) === '' ? '' : ' (with uncommitted changes)';
  return {
    machine: `${cpus().length} cores, load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    node: process.version,
    redis: run('redis-server', ['--version']).replace(/^Redis server v=(\S+).*$/, '$1'),
    'git commit': `${commit}${dirty}`,
  };
}

process.on('unhandledRejection', (reason) => {
  say(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  process.exit(2);
});

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
