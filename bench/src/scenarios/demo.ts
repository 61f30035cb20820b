// Scenario 9 — the demo under load: the leaderboard example (simulator → game-events → 2 processors → Redis →
// server with a live page) and the analytics example (simulator → telemetry → 2 aggregators → dashboard) on
// the bench's stack, with headless Chromium holding the web console's overview (live charts), the leaderboard
// page and the analytics dashboard open. The total simulated event rate steps up (half to each simulator);
// for each step: the rate the simulators achieved (from the topics' offsets), both groups' lag (the gateway's
// GET /groups/:group), CPU per process (/proc), and the delay from a marker event written to game-events to
// its row on the open leaderboard page (Playwright's waitFor on the page's DOM).
//
// The examples' processes are their built entry points (examples/*/dist), started as their own tests start
// them; the Redis they keep their state in is the stack's (their keys have prefixes of their own).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { createTopic, nextOffsets } from '../client.js';
import { exampleScript, launchChromium, startNode, waitOk, type DemoBrowser, type DemoProcess } from '../demo-processes.js';
import { CLOCK_TICKS, loadAverage, round1 } from '../machine.js';
import type { BenchContext } from '../scenario.js';
import { percentile } from '../stats.js';
import { freePort } from '@tributary/local-stack';

/** Events per second one simulator process is asked for at most: above it, a simulator runs as several. */
const PER_PROCESS_RATE = 5_000;
const GAME_TOPIC = 'game-events';
const TELEMETRY_TOPIC = 'telemetry';
/** Markers outscore every simulated player (scores are sums of 1–100 points), and each the marker before. */
const MARKER_POINTS = 900_000_000;

export interface DemoSettings {
  /**
   * Total simulated events per second, one step each, split evenly between the two simulators. The steps
   * stop after the first that is not sustained: the ones above it would only pile up lag.
   */
  rates: readonly number[];
  warmupS: number;
  measureS: number;
  /** Marker events per step, one a second at most. */
  markers: number;
}

export interface DemoGroupStep {
  group: string;
  topic: string;
  targetRate: number;
  achievedRate: number;
  simulatorProcesses: number;
  /** Lag sampled every 2 s over the measured window, then once more at its end. */
  lag: number[];
  lagAtEnd: number;
  keptUp: boolean;
  /** Partitions each member held at the end of the step, and their lag then. */
  partitionsByMember: Record<string, number>;
  lagByMember: Record<string, number>;
  /** Seconds after the simulators stopped until the group's lag was 0 (undefined: not within the limit). */
  drainS: number | undefined;
}

export interface DemoStep {
  targetRate: number;
  achievedRate: number;
  sustained: boolean;
  loadAverage: [number, number, number];
  leaderboard: DemoGroupStep;
  analytics: DemoGroupStep;
  /** Share of one core over the measured window, per process (several processes of one part summed). */
  cpuPercent: Record<string, number>;
  /** The whole machine's busy CPU over the window, % of one core (200 % on two cores), the demo's and others'. */
  machineBusyPercent: number;
  /** Marker written → its row on the open leaderboard page, ms. */
  e2e: { markers: number; seen: number; p50: number; p99: number; max: number; samples: number[] };
  /** The web console's "in" rate (records/s) on its overview page at the end of the step, as it showed it. */
  consoleRateIn: string | undefined;
}

export interface DemoResult {
  settings: DemoSettings;
  perProcessRate: number;
  steps: DemoStep[];
  /** The highest total rate sustained (achieved ≥ 95 % of the target, both groups keeping up). */
  highestSustained: number | undefined;
  pages: string[];
}

export async function demo({ stack, settings, runId, say }: BenchContext): Promise<DemoResult> {
  const demoSettings: DemoSettings =
    settings.mode === 'quick'
      ? { rates: [1_000, 5_000], warmupS: 2, measureS: 6, markers: 5 }
      : { rates: [1_000, 2_500, 5_000, 7_500, 10_000, 12_500, 15_000, 20_000, 30_000, 40_000], warmupS: 4, measureS: 20, markers: 20 };
  const redisUrl = `redis://${stack.redis.host}:${stack.redis.port}`;
  const base = { BROKER_URL: stack.broker.url, GATEWAY_URL: stack.gateway.url, REDIS_URL: redisUrl, LOG_LEVEL: 'warn' };
  const leaderboardEnv = { ...base, KEY_PREFIX: `demo-${runId}:leaderboard:`, TOPIC: GAME_TOPIC, GROUP: 'leaderboard', PARTITIONS: '8' };
  const analyticsEnv = { ...base, KEY_PREFIX: `demo-${runId}:analytics:`, TOPIC: TELEMETRY_TOPIC, GROUP: 'analytics', PARTITIONS: '4' };
  await createTopic(stack.broker.url, GAME_TOPIC, 8);
  await createTopic(stack.broker.url, TELEMETRY_TOPIC, 4);

  const parts: DemoProcess[] = [];
  let browser: DemoBrowser | undefined;
  try {
    for (const member of ['proc-a', 'proc-b']) {
      parts.push(startNode(`leaderboard ${member}`, exampleScript('leaderboard', 'processor'), { ...leaderboardEnv, MEMBER: member }, say));
    }
    for (const member of ['agg-a', 'agg-b']) {
      parts.push(startNode(`analytics ${member}`, exampleScript('analytics', 'aggregator'), { ...analyticsEnv, MEMBER: member }, say));
    }
    const [leaderboardPort, dashboardPort] = await Promise.all([freePort(), freePort()]);
    const leaderboardServer = startNode('leaderboard server', exampleScript('leaderboard', 'server'), { ...leaderboardEnv, PORT: String(leaderboardPort) }, say);
    const dashboard = startNode('analytics dashboard', exampleScript('analytics', 'server'), { ...analyticsEnv, PORT: String(dashboardPort) }, say);
    parts.push(leaderboardServer, dashboard);
    const leaderboardUrl = `http://127.0.0.1:${leaderboardPort}`;
    const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
    await waitOk(`${leaderboardUrl}/api/stats`, 30_000, leaderboardServer);
    await waitOk(`${dashboardUrl}/api/aggregates`, 30_000, dashboard);
    await waitMembers(stack.gateway.url, 'leaderboard', 2);
    await waitMembers(stack.gateway.url, 'analytics', 2);
    say('demo: 2 leaderboard processors, 2 analytics aggregators, the leaderboard server and the dashboard are up');

    browser = await launchChromium();
    const consolePage = await browser.context.newPage();
    await consolePage.goto(`${stack.broker.url}/ui`);
    await consolePage.getByTestId('rate-in').waitFor({ timeout: 60_000 });
    const leaderboardPage = await browser.context.newPage();
    await leaderboardPage.goto(leaderboardUrl);
    await leaderboardPage.getByTestId('connection').getByText('live').waitFor({ timeout: 60_000 });
    const dashboardPage = await browser.context.newPage();
    await dashboardPage.goto(dashboardUrl);
    const pages = [`${stack.broker.url}/ui (web console, overview)`, `${leaderboardUrl} (leaderboard, live)`, `${dashboardUrl} (analytics dashboard)`];
    say('demo: Chromium has the console overview, the leaderboard page and the dashboard open');

    const steps: DemoStep[] = [];
    let marker = 0;
    for (const [index, rate] of demoSettings.rates.entries()) {
      const step = await runStep({
        stackUrls: { broker: stack.broker.url, gateway: stack.gateway.url },
        rate,
        index,
        runId,
        settings: demoSettings,
        leaderboardEnv,
        analyticsEnv,
        watched: [
          ['broker', () => stack.broker.cpuSeconds()],
          ['gateway', () => stack.gateway.cpuSeconds()],
          ...parts.map((part) => [part.name, () => part.cpuSeconds()] as const),
        ],
        redisCpu: () => stack.redisCpuSeconds(),
        browser,
        leaderboardPage,
        consolePage,
        nextMarker: () => marker++,
        say,
      });
      steps.push(step);
      if (!step.sustained) break;
    }
    const sustained = steps.filter((s) => s.sustained).map((s) => s.targetRate);
    return {
      settings: demoSettings,
      perProcessRate: PER_PROCESS_RATE,
      steps,
      highestSustained: sustained.length > 0 ? Math.max(...sustained) : undefined,
      pages,
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(parts.map((part) => part.stop()));
  }
}

interface StepOptions {
  stackUrls: { broker: string; gateway: string };
  rate: number;
  index: number;
  runId: string;
  settings: DemoSettings;
  leaderboardEnv: Record<string, string>;
  analyticsEnv: Record<string, string>;
  watched: ReadonlyArray<readonly [string, () => number | undefined]>;
  redisCpu: () => Promise<number>;
  browser: DemoBrowser;
  leaderboardPage: Page;
  consolePage: Page;
  nextMarker: () => number;
  say: (line: string) => void;
}

async function runStep(o: StepOptions): Promise<DemoStep> {
  const { rate, settings, say } = o;
  const half = rate / 2;
  const processes = Math.max(1, Math.ceil(half / PER_PROCESS_RATE));
  const perProcess = Math.round(half / processes);
  say(`demo: ${rate} events/s in total, ${processes} simulator process(es) of ${perProcess}/s per example`);
  const simulators: DemoProcess[] = [];
  for (let i = 0; i < processes; i++) {
    simulators.push(
      startNode(`leaderboard simulator ${i + 1}`, exampleScript('leaderboard', 'simulator'), {
        ...o.leaderboardEnv,
        RATE: String(perProcess),
        RUN_ID: `${o.runId}-s${o.index}-${i}`,
        SEED: String(o.index * 100 + i),
      }, say, /writing to|wrote \d+ events/),
      startNode(`analytics simulator ${i + 1}`, exampleScript('analytics', 'simulator'), {
        ...o.analyticsEnv,
        RATE: String(perProcess),
        EVENTS: '0',
        // Event ids are e<seed>-<sequence>: a seed of its own per process and step keeps them apart.
        SEED: String(1_000 + o.index * 100 + i),
      }, say, /^published \d+ events/),
    );
  }
  try {
    await sleep(settings.warmupS * 1000);
    const offsetsAt = async () => {
      const [game, telemetry] = await Promise.all([nextOffsets(o.stackUrls.broker, GAME_TOPIC), nextOffsets(o.stackUrls.broker, TELEMETRY_TOPIC)]);
      return { at: performance.now(), game: sum(game), telemetry: sum(telemetry) };
    };
    const cpuAt = async () => ({
      at: performance.now(),
      processes: new Map(o.watched.map(([name, read]) => [name, read()])),
      simulators: simulators.map((s) => [s.name, s.cpuSeconds()] as const),
      redis: await o.redisCpu(),
      chromium: o.browser.cpuSeconds(),
      machine: machineBusySeconds(),
    });
    const offsets0 = await offsetsAt();
    const cpu0 = await cpuAt();
    const lags = { leaderboard: [] as number[], analytics: [] as number[] };
    const measureEnd = performance.now() + settings.measureS * 1000;

    const sampling = (async () => {
      while (performance.now() < measureEnd) {
        lags.leaderboard.push(await groupLag(o.stackUrls.gateway, 'leaderboard'));
        lags.analytics.push(await groupLag(o.stackUrls.gateway, 'analytics'));
        await sleep(Math.min(2_000, Math.max(0, measureEnd - performance.now())));
      }
    })();
    const markers = (async () => {
      const delays: number[] = [];
      let sent = 0;
      const spacing = (settings.measureS * 1000) / settings.markers;
      for (let i = 0; i < settings.markers; i++) {
        const slot = measureEnd - settings.measureS * 1000 + i * spacing;
        await sleep(Math.max(0, slot - performance.now()));
        if (performance.now() >= measureEnd) break;
        sent++;
        const delay = await markerDelay(o, o.nextMarker());
        if (delay !== undefined) delays.push(delay);
      }
      return { sent, delays };
    })();
    await sampling;
    const offsets1 = await offsetsAt();
    const cpu1 = await cpuAt();
    const ends = { leaderboard: await describeGroup(o.stackUrls.gateway, 'leaderboard'), analytics: await describeGroup(o.stackUrls.gateway, 'analytics') };
    const consoleRateIn = (await o.consolePage.getByTestId('rate-in').textContent().catch(() => null)) ?? undefined;
    const { sent, delays } = await markers;
    const loadAverageNow = loadAverage();

    const seconds = (cpu1.at - cpu0.at) / 1000;
    const cpuPercent: Record<string, number> = {};
    const share = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined ? Number.NaN : round1(((after - before) / seconds) * 100);
    for (const [name, before] of cpu0.processes) cpuPercent[name] = share(before, cpu1.processes.get(name));
    cpuPercent['redis'] = share(cpu0.redis, cpu1.redis);
    for (const [kind, label] of [['leaderboard', 'leaderboard simulator'], ['analytics', 'analytics simulator']] as const) {
      let total = 0;
      for (const [i, [name, before]] of cpu0.simulators.entries()) {
        if (!name.startsWith(kind)) continue;
        total += share(before, cpu1.simulators[i]![1]);
      }
      // One row per part whatever its process count (the step records the count): summed over them.
      cpuPercent[label] = round1(total);
    }
    let chromium = 0;
    for (const [pid, after] of cpu1.chromium) chromium += after - (cpu0.chromium.get(pid) ?? 0);
    cpuPercent['chromium (all its processes)'] = round1((chromium / seconds) * 100);

    // Markers are written to game-events too: they are not the simulator's.
    const offsetSeconds = (offsets1.at - offsets0.at) / 1000;
    const gameRate = (offsets1.game - offsets0.game - sent) / offsetSeconds;
    const telemetryRate = (offsets1.telemetry - offsets0.telemetry) / offsetSeconds;
    const group = (name: string, topic: string, achieved: number, lag: number[], { lag: end, partitionsByMember, lagByMember }: GroupState): DemoGroupStep => ({
      group: name,
      topic,
      targetRate: half,
      achievedRate: Math.round(achieved),
      simulatorProcesses: processes,
      lag: [...lag, end],
      lagAtEnd: end,
      // Kept up: at most a second of its events outstanding at the end, or no more than when measuring began.
      keptUp: end <= half || end <= (lag[0] ?? 0),
      partitionsByMember,
      lagByMember,
      drainS: undefined,
    });
    const leaderboard = group('leaderboard', GAME_TOPIC, gameRate, lags.leaderboard, ends.leaderboard);
    const analytics = group('analytics', TELEMETRY_TOPIC, telemetryRate, lags.analytics, ends.analytics);
    const achievedRate = Math.round(gameRate + telemetryRate);
    const sorted = [...delays].sort((a, b) => a - b);
    const step: DemoStep = {
      targetRate: rate,
      achievedRate,
      sustained: achievedRate >= 0.95 * rate && leaderboard.keptUp && analytics.keptUp,
      loadAverage: loadAverageNow,
      leaderboard,
      analytics,
      cpuPercent,
      machineBusyPercent: round1(((cpu1.machine - cpu0.machine) / seconds) * 100),
      e2e: {
        markers: sent,
        seen: delays.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
        samples: delays.map((d) => Math.round(d)),
      },
      consoleRateIn,
    };

    await Promise.all(simulators.map((s) => s.stop()));
    // Each step starts from caught-up groups: wait for both lags to reach 0 (and record how long it took).
    const stopped = performance.now();
    for (const g of [leaderboard, analytics]) {
      g.drainS = await drain(o.stackUrls.gateway, g.group, stopped, 60_000);
    }
    say(
      `  achieved ${achievedRate}/s (leaderboard ${leaderboard.achievedRate}/s, analytics ${analytics.achievedRate}/s); ` +
        `lag at end ${leaderboard.lagAtEnd} / ${analytics.lagAtEnd}; e2e p50 ${step.e2e.p50.toFixed(0)} ms p99 ${step.e2e.p99.toFixed(0)} ms ` +
        `(${delays.length}/${sent} markers); ${step.sustained ? 'sustained' : 'NOT sustained'}; machine busy ${step.machineBusyPercent} %, load ${loadAverageNow.join(' ')}`,
    );
    say(`  CPU % of a core: ${Object.entries(cpuPercent).map(([name, pct]) => `${name} ${pct}`).join(', ')}`);
    return step;
  } finally {
    await Promise.all(simulators.map((s) => s.stop()));
  }
}

/** Writes one marker event and times it until its row is on the open leaderboard page; undefined after 30 s. */
async function markerDelay(o: StepOptions, n: number): Promise<number | undefined> {
  const player = `marker-${o.runId}-${n}`;
  const event = { id: `${player}-event`, type: 'player_scored', player, points: MARKER_POINTS + n, ts: Date.now() };
  const row = o.leaderboardPage.locator(`tr[data-player="${player}"]`);
  const started = performance.now();
  const response = await fetch(`${o.stackUrls.broker}/write/${GAME_TOPIC}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ records: [{ key: player, value: event, id: event.id }] }),
  });
  if (!response.ok) throw new Error(`marker write answered ${response.status}: ${await response.text()}`);
  try {
    await row.waitFor({ state: 'attached', timeout: 30_000 });
  } catch {
    o.say(`  marker ${player} did not appear within 30 s`);
    return undefined;
  }
  return performance.now() - started;
}

interface GroupState {
  lag: number;
  partitionsByMember: Record<string, number>;
  lagByMember: Record<string, number>;
}

async function describeGroup(gatewayUrl: string, group: string): Promise<GroupState> {
  const response = await fetch(`${gatewayUrl}/groups/${group}`);
  if (!response.ok) throw new Error(`GET /groups/${group} answered ${response.status}: ${await response.text()}`);
  const answer = (await response.json()) as {
    lag: number;
    members: Array<{ member_id: string; name: string; assignment: Array<{ partitions: number[] }> }>;
    partitions: Array<{ holder: string | null; lag: number }>;
  };
  const partitionsByMember: Record<string, number> = {};
  const lagByMember: Record<string, number> = {};
  for (const member of answer.members) {
    partitionsByMember[member.name] = sum(member.assignment.map((a) => a.partitions.length));
    lagByMember[member.name] = sum(answer.partitions.filter((p) => p.holder === member.member_id || p.holder === member.name).map((p) => p.lag));
  }
  return { lag: answer.lag, partitionsByMember, lagByMember };
}

async function groupLag(gatewayUrl: string, group: string): Promise<number> {
  return (await describeGroup(gatewayUrl, group)).lag;
}

/** CPU seconds the whole machine has been busy (every core, every process: /proc/stat). */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait is busy.
  const busy = sum(fields.slice(0, 8)) - fields[3]! - fields[4]!;
  return busy / CLOCK_TICKS;
}

async function waitMembers(gatewayUrl: string, group: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${gatewayUrl}/groups/${group}`);
    if (response.ok && ((await response.json()) as { members: unknown[] }).members.length >= count) return;
    if (Date.now() > deadline) throw new Error(`group ${group} did not have ${count} members within 60 s`);
    await sleep(250);
  }
}

async function drain(gatewayUrl: string, group: string, since: number, limitMs: number): Promise<number | undefined> {
  while (performance.now() - since < limitMs) {
    if ((await groupLag(gatewayUrl, group)) === 0) return round1((performance.now() - since) / 1000);
    await sleep(250);
  }
  return undefined;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
