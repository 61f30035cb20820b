// The suite's output: one table row per scenario (printed as each finishes, and together at the end), the
// details behind any nonzero count, and the same as Markdown for faults/results/.
import { VIOLATIONS } from './audit.js';
import type { ScenarioResult } from './run.js';
import type { Settings } from './settings.js';

export interface RunReport {
  date: string;
  command: string;
  settings: Settings;
  machine: Record<string, string>;
  durationS: number;
  scenarios: ScenarioResult[];
}

const ms = (value: number | undefined) => (value === undefined ? '—' : value < 10 ? value.toFixed(1) : String(Math.round(value)));

const COLUMNS: Array<[string, (r: ScenarioResult) => string]> = [
  ['scenario', (r) => r.name],
  ...(['attempted', 'acked', 'failed', 'unknown', ...VIOLATIONS] as const).map(
    (name): [string, (r: ScenarioResult) => string] => [name, (r) => (r.audit ? String(r.audit.counts[name]) : '—')],
  ),
  ['unavail write ms', (r) => ms(r.unavailableMs.write)],
  ['unavail read ms', (r) => ms(r.unavailableMs.read)],
  ['p99 before ms', (r) => ms(r.p99Ms.before)],
  ['p99 during ms', (r) => ms(r.p99Ms.during)],
  ['p99 after ms', (r) => ms(r.p99Ms.after)],
  ['verdict', (r) => (passed(r) ? 'ok' : 'FAIL')],
];

export function passed(result: ScenarioResult): boolean {
  return result.problems.length === 0 && result.audit !== undefined && VIOLATIONS.every((name) => result.audit!.counts[name] === 0);
}

/** An aligned plain-text table. */
export function textTable(results: readonly ScenarioResult[]): string {
  const rows = [COLUMNS.map(([header]) => header), ...results.map((r) => COLUMNS.map(([, cell]) => cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const header = `| ${COLUMNS.map(([h]) => h).join(' | ')} |`;
  const rule = `|${COLUMNS.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  return [header, rule, ...results.map((r) => `| ${COLUMNS.map(([, cell]) => cell(r)).join(' | ')} |`)].join('\n');
}

/** Everything behind a scenario's row, as lines (Markdown list items work as plain text too). */
export function details(result: ScenarioResult): string[] {
  const lines: string[] = [];
  for (const { at, what } of result.events) lines.push(`- +${(at / 1000).toFixed(1)} s  ${what}`);
  if (result.audit) {
    for (const name of VIOLATIONS) {
      const count = result.audit.counts[name];
      if (count === 0) continue;
      lines.push(`- **${name}: ${count}**`, ...result.audit.examples[name].map((example) => `  - ${example}`));
    }
    const { unknown, unknownStored, redelivered, acksAsDuplicate } = result.audit.counts;
    lines.push(
      `- unknown outcomes: ${unknown} (${unknownStored} stored once, ${unknown - unknownStored} not stored); ` +
        `retries acked as duplicate: ${acksAsDuplicate}; consumer redeliveries: ${redelivered}`,
    );
  }
  for (const problem of result.problems) lines.push(`- **problem:** ${problem}`);
  for (const observation of result.observations) lines.push(`- observed: ${observation}`);
  lines.push(`- write answers: ${histogram(result.writeAnswers)}`);
  lines.push(`- consumer reads and commits: ${histogram(result.readAnswers)}`);
  for (const [label, body] of Object.entries(result.uncodedAnswers)) {
    lines.push(`- observed: "${label}" came without Tributary's error body (no \`code\`, so no \`retriable\`): \`${body}\``);
  }
  const logged = result.serviceLogs.filter((log) => log.errors + log.warnings > 0);
  for (const log of logged) {
    lines.push(`- ${log.service} logged ${log.errors} errors, ${log.warnings} warnings${log.samples.length > 0 ? `, e.g. ${log.samples.map((s) => `"${s}"`).join('; ')}` : ''}`);
  }
  if (result.keptDir) lines.push(`- data and logs kept in ${result.keptDir}`);
  return lines;
}

function histogram(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([label, n]) => `${label} ×${n}`).join(', ');
}

export function markdown(report: RunReport): string {
  const { settings } = report;
  const p = settings.producer;
  return [
    `# Fault-injection run, ${report.date.slice(0, 10)}`,
    '',
    `\`${report.command}\` — ${report.scenarios.filter(passed).length} of ${report.scenarios.length} scenarios passed, ${Math.round(report.durationS)} s in all.`,
    '',
    ...Object.entries(report.machine).map(([name, value]) => `- ${name}: ${value}`),
    `- load: ${settings.singleProducers} single-record and ${settings.batchProducers} batch producers (${p.keys} keys each, a batch carries one record per key), ` +
      `one request at a time each, ${p.paceMs} ms apart; retries with the same ids on the other broker, up to ${p.maxAttempts} attempts or ${p.retryBudgetMs / 1000} s; ` +
      `a request's deadline ${p.requestTimeoutMs / 1000} s`,
    `- phases: ${settings.beforeMs / 1000} s of load before the fault, ${settings.afterMs / 1000} s after every service is ready again; crashed processes stay down ${settings.downMs / 1000} s`,
    '',
    'Counts are records; `gaps` counts offsets; latencies are from a record\'s first attempt to its ack, retries included, ' +
      'by the phase the record was first sent in. What each column means: [the README](../README.md).',
    '',
    markdownTable(report.scenarios),
    '',
    ...report.scenarios.flatMap((result) => [`## ${result.name}: ${result.title}`, '', `${result.durationS} s.`, '', ...details(result), '']),
  ].join('\n');
}
