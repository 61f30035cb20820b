// Scenario 9 in the report: the demo's steps as a Markdown section, a summary row and the issue's target
// (the whole demo ≥ 5,000 events/s with the console open).
import type { DemoResult, DemoStep } from './scenarios/demo.js';

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a');

export const DEMO_TARGET = 5_000;

export function demoE2e(step: DemoStep | undefined): string {
  if (!step) return 'n/a';
  const missing = step.e2e.markers - step.e2e.seen;
  return `p50 ${ms(step.e2e.p50)}, p99 ${ms(step.e2e.p99)} (${step.e2e.seen} markers${missing > 0 ? `, ${missing} not seen within 30 s` : ''})`;
}

/** The busiest process of a step: the one a bottleneck shows up in. */
export function busiest(step: DemoStep): [string, number] {
  return Object.entries(step.cpuPercent).reduce((a, b) => (b[1] > a[1] ? b : a));
}

export function demoSummary(d: DemoResult): { tributary: string; baseline: string } {
  const at = (rate: number | undefined) => d.steps.find((s) => s.targetRate === rate);
  return {
    tributary:
      `highest sustained ${d.highestSustained === undefined ? 'none' : `${int(d.highestSustained)} events/s`}; ` +
      `page e2e at 1,000/s ${demoE2e(at(1_000))}` +
      (d.highestSustained !== undefined && d.highestSustained !== 1_000 ? `, at ${int(d.highestSustained)}/s ${demoE2e(at(d.highestSustained))}` : ''),
    baseline: '',
  };
}

export function demoTarget(d: DemoResult | undefined): { target: string; measured: string; met: boolean | undefined } {
  return {
    target: `the demo (both examples, console and pages open) sustains ≥ ${int(DEMO_TARGET)} events/s`,
    measured: d ? (d.highestSustained === undefined ? 'no step sustained' : `${int(d.highestSustained)} events/s`) : 'not measured',
    met: d ? (d.highestSustained ?? 0) >= DEMO_TARGET : undefined,
  };
}

export function demoMarkdown(d: DemoResult, table: (header: string[], rows: string[][]) => string): string[] {
  const names = [...new Set(d.steps.flatMap((s) => Object.keys(s.cpuPercent)))];
  return [
    '### 9. The demo under load',
    '',
    'The leaderboard example (simulator → `game-events`, 8 partitions → a group of 2 processors → Redis → its server, live page over ' +
      'server-sent events) and the analytics example (simulator → `telemetry`, 4 partitions → a group of 2 aggregators → Redis → ' +
      'dashboard) on this stack, their built entry points as child processes; headless Chromium holds open ' +
      `${d.pages.join(', ')}. The total simulated rate steps up, half to each simulator (a simulator asked for more than ` +
      `${int(d.perProcessRate)} events/s runs as several processes); each step: ${d.settings.warmupS} s warm-up, ` +
      `${d.settings.measureS} s measured, then the simulators stop and both groups drain to lag 0 before the next step; the steps ` +
      'stop after the first that is not sustained. ' +
      'Achieved rates come from the topics\' offsets. Lag is the gateway\'s `GET /groups/:group`. "Sustained": achieved ≥ 95 % of the ' +
      'target and both groups keeping up (lag at the end at most 1 s of their events, or no more than at the start). ' +
      `End to end: ${d.settings.markers} marker events per step (a new player outscoring everyone) written to \`game-events\`, timed from ` +
      'the write until its row is in the open page\'s DOM (Playwright `waitFor`); this includes the server\'s 250 ms poll of Redis. ' +
      'With 20 markers the p99 is the slowest of them.',
    '',
    table(
      ['target events/s', 'achieved', 'leaderboard / analytics achieved', 'lag at end (leaderboard / analytics)', 'drained in', 'page e2e p50', 'p99', 'max', 'sustained', 'machine busy (of 200 %)', 'load avg'],
      d.steps.map((s) => [
        int(s.targetRate),
        int(s.achievedRate),
        `${int(s.leaderboard.achievedRate)} / ${int(s.analytics.achievedRate)} (${s.leaderboard.simulatorProcesses} sim process${s.leaderboard.simulatorProcesses > 1 ? 'es' : ''} each)`,
        `${int(s.leaderboard.lagAtEnd)} / ${int(s.analytics.lagAtEnd)}`,
        `${s.leaderboard.drainS ?? '>60'} s / ${s.analytics.drainS ?? '>60'} s`,
        ms(s.e2e.p50),
        ms(s.e2e.p99),
        ms(s.e2e.max),
        s.sustained ? 'yes' : 'no',
        `${s.machineBusyPercent} %`,
        s.loadAverage.join(' '),
      ]),
    ),
    '',
    'CPU over the measured window, % of one core (the machine has two cores, 200 % in all; "machine busy" above counts every ' +
      'process on it, other users\' included); a simulator running as several processes is their sum:',
    '',
    table(
      ['process', ...d.steps.map((s) => `${int(s.targetRate)}/s`)],
      [
        ...names.map((name) => [name, ...d.steps.map((s) => (s.cpuPercent[name] === undefined ? '' : `${s.cpuPercent[name]}`))]),
        ['**all of the demo\'s processes**', ...d.steps.map((s) => `**${demoCpu(s).toFixed(1)}**`)],
        ['machine busy (everything on it)', ...d.steps.map((s) => `${s.machineBusyPercent}`)],
      ],
    ),
    '',
    `Busiest process per step: ${d.steps.map((s) => `${int(s.targetRate)}/s ${busiest(s)[0]} ${busiest(s)[1]} %`).join('; ')}.`,
    '',
    `Lag samples (every 2 s, leaderboard; analytics): ${d.steps.map((s) => `${int(s.targetRate)}/s [${s.leaderboard.lag.join(', ')}; ${s.analytics.lag.join(', ')}]`).join(' — ')}.`,
    `Partitions (and lag) per member at each step's end: ${d.steps.map((s) => `${int(s.targetRate)}/s ${members(s.leaderboard)}; ${members(s.analytics)}`).join(' — ')}.`,
    `The console's overview showed "in" at each step's end: ${d.steps.map((s) => `${int(s.targetRate)}/s → ${s.consoleRateIn ?? 'n/a'}`).join(', ')}.`,
    '',
  ];
}

const members = (g: DemoStep['leaderboard']) =>
  Object.entries(g.partitionsByMember)
    .map(([name, n]) => `${name} ${n}${g.lagByMember?.[name] !== undefined ? ` (lag ${int(g.lagByMember[name])})` : ''}`)
    .join(', ');

/** CPU of every process the demo consists of (the stack, the examples, Chromium), % of one core. */
export const demoCpu = (s: DemoStep) => Object.values(s.cpuPercent).filter(Number.isFinite).reduce((a, b) => a + b, 0);
