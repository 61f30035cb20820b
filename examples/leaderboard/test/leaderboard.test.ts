// The live leaderboard end to end, as a user would run it: a real broker and gateway on free ports, the
// test run's Redis and ZooKeeper, and the example's BUILT processes (run `npx tsc -b` first) as child
// processes talking to Tributary over HTTP. Two processors consume as one group; one is SIGKILLed mid-run,
// holding events it applied and had not committed; the other takes its partitions over and is given those
// events again; the totals must equal exactly what the seeded simulator produced.
// The tests run in order and share that run's state: the API and the page are checked against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Tributary, type GroupDescription } from '@tributary/example-kit';
import { launchChromium, startStack, type RunningStack } from '@tributary/example-kit/testing';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';
import { takeEvents, type GameEvent } from '../src/events.js';
import { startProcessor } from '../src/processor.js';
import { createServer } from '../src/server.js';
import { LeaderboardStore, type Stats } from '../src/store.js';

/** LEADERBOARD_SCREENSHOT=examples/leaderboard/docs/leaderboard.png saves the picture the README shows. */
const screenshot = process.env['LEADERBOARD_SCREENSHOT'];
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

const SEED = 20_261_123;
const COUNT = 3_000;
const PLAYERS = 40;
const PARTITIONS = 8;
const run = uniqueName('run');
const produced = takeEvents({ seed: SEED, run, players: PLAYERS }, COUNT);
const prefix = `${uniqueName('leaderboard')}:`;
const topic = uniqueName('game-events');
const group = uniqueName('leaderboard');

interface Expected {
  name: string;
  score: number;
  events: number;
  joins: number;
  scored: number;
  achievements: number;
}

/** What the leaderboard must show, summed straight from the produced events. */
function expectedFrom(events: GameEvent[]): Map<string, Expected> {
  const players = new Map<string, Expected>();
  for (const event of events) {
    const player = players.get(event.player) ?? { name: event.player, score: 0, events: 0, joins: 0, scored: 0, achievements: 0 };
    player.events++;
    if (event.type === 'player_scored') {
      player.score += event.points;
      player.scored++;
    } else if (event.type === 'player_joined') {
      player.name = event.name;
      player.joins++;
    } else player.achievements++;
    players.set(event.player, player);
  }
  return players;
}
const expected = expectedFrom(produced);
const countOf = (type: GameEvent['type']) => produced.filter((event) => event.type === type).length;

let stack: RunningStack;
let tributary: Tributary;
let store: LeaderboardStore;
let redisUrl: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  expect(existsSync(dist('processor.js')), 'the example is not built: npx tsc -b').toBe(true);
  const config = testConfig();
  stack = await startStack({ broker: { maxBatchRecords: 10_000 } });
  tributary = new Tributary(stack.brokerUrl, stack.gatewayUrl);
  redisUrl = `redis://${config.redisHost}:${config.redisPort}`;
  store = new LeaderboardStore(redisUrl, prefix);
  await store.connect();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  store?.close();
  await stack?.close();
});

/** One of the example's processes, with the test's endpoints and its output kept for failure messages. */
function spawnPart(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [dist(script)], {
    env: {
      ...process.env,
      BROKER_URL: tributary.brokerUrl,
      GATEWAY_URL: tributary.gatewayUrl,
      REDIS_URL: redisUrl,
      KEY_PREFIX: prefix,
      TOPIC: topic,
      PARTITIONS: String(PARTITIONS),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

const SESSION_TIMEOUT_MS = 3_000;

/** Committing once a second, a processor nearly always has events applied and not yet committed. */
function spawnProcessor(member: string) {
  return spawnPart('processor.js', { GROUP: group, MEMBER: member, SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), BATCH: '50', COMMIT_INTERVAL_MS: '1000' });
}

/** The group is done when its members have committed every record the topic holds. */
async function caughtUp(expectedRecords: number): Promise<GroupDescription | false> {
  const description = await tributary.describeGroup(group);
  const records = description.partitions.reduce((sum, partition) => sum + partition.high_watermark, 0);
  const committed = description.partitions.every((partition) => partition.committed_offset === partition.high_watermark);
  return records === expectedRecords && description.lag === 0 && committed && description;
}

async function expectTotalsMatchProducedEvents(stats: Stats): Promise<void> {
  expect(stats.events).toBe(COUNT);
  expect(stats.invalid).toBe(0);
  expect(stats.player_scored).toBe(countOf('player_scored'));
  expect(stats.player_joined).toBe(countOf('player_joined'));
  expect(stats.achievement_unlocked).toBe(countOf('achievement_unlocked'));
  expect(stats.players).toBe(expected.size);
  for (const [player, want] of expected) {
    const view = await store.player(player);
    expect(view && { name: view.name, score: view.score, events: view.events, joins: view.joins, scored: view.scored, achievements: view.achievements }, player).toEqual(want);
  }
}

describe('the live leaderboard example', () => {
  it('simulates 70 % player_scored, 20 % player_joined, 10 % achievement_unlocked, each with a unique id, the same for a seed', () => {
    expect(new Set(produced.map((event) => event.id)).size).toBe(COUNT);
    const share = (type: GameEvent['type']) => countOf(type) / COUNT;
    expect(share('player_scored')).toBeCloseTo(0.7, 1);
    expect(share('player_joined')).toBeCloseTo(0.2, 1);
    expect(share('achievement_unlocked')).toBeCloseTo(0.1, 1);
    const again = takeEvents({ seed: SEED, run, players: PLAYERS }, COUNT);
    expect(again.map(({ ts: _ts, ...event }) => event)).toEqual(produced.map(({ ts: _ts, ...event }) => event));
    expect(takeEvents({ seed: SEED + 1, run, players: PLAYERS }, 50)).not.toEqual(produced.slice(0, 50));
  });

  it('counts every event exactly once while one of two processors is killed mid-run', { timeout: 180_000 }, async () => {
    const a = spawnProcessor('proc-a');
    const b = spawnProcessor('proc-b');
    const byName = new Map([
      ['proc-a', a],
      ['proc-b', b],
    ]);
    // Both are in the group (the topic exists: they create it) and hold the partitions rendezvous hashing
    // gives them before the first event is written: each applies events of its own partitions only.
    await waitFor(
      async () => {
        const description = await tributary.describeGroup(group).catch(() => undefined);
        return (
          description?.members.length === 2 &&
          description.partitions.length === PARTITIONS &&
          description.partitions.every((partition) => partition.holder !== null && partition.holder === partition.assigned_to)
        );
      },
      { timeoutMs: 60_000, what: `both processors to join and settle\n${a.output()}\n${b.output()}` },
    );

    const simulator = spawnPart('simulator.js', { COUNT: String(COUNT), RATE: '300', SEED: String(SEED), RUN_ID: run, PLAYERS: String(PLAYERS) });
    // Kill whichever processor has applied a good part of its share first: it dies with work in hand.
    const victim = await waitFor(
      async () => {
        const { processors } = await store.stats();
        return Object.entries(processors).find(([, applied]) => applied >= 100)?.[0];
      },
      { timeoutMs: 60_000, what: `a processor to apply 100 events\n${simulator.output()}` },
    );
    const killed = byName.get(victim)!;

    // The crash that matters is one after applying and before committing. Freeze the victim (SIGSTOP) and,
    // once the gateway has not heard from it for a while (its last request is done), compare what it applied
    // with what its partitions have committed; with nothing in hand, let it run on (SIGCONT, well inside its
    // session) and try again.
    const inHand = await waitFor(
      async () => {
        const memberId = (await tributary.describeGroup(group)).members.find((member) => member.name === victim)?.member_id;
        if (memberId === undefined) return false;
        killed.child.kill('SIGSTOP');
        const quiet = await waitFor(
          async () => {
            const description = await tributary.describeGroup(group);
            const member = description.members.find((candidate) => candidate.member_id === memberId);
            return member === undefined ? 'expired' : member.expires_in_ms <= SESSION_TIMEOUT_MS - 600 && description;
          },
          { timeoutMs: 30_000, what: `the gateway to stop hearing from ${victim}` },
        );
        if (quiet === 'expired') {
          killed.child.kill('SIGCONT');
          return false;
        }
        const applied = (await store.stats()).processors[victim] ?? 0;
        const committed = quiet.partitions
          .filter((partition) => partition.holder === memberId)
          .reduce((sum, partition) => sum + (partition.committed_offset ?? 0), 0);
        if (applied > committed) return { applied, committed };
        killed.child.kill('SIGCONT');
        return false;
      },
      { timeoutMs: 90_000, intervalMs: 100, what: `${victim} to be frozen with events applied and not committed` },
    );
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const survivorName = victim === 'proc-a' ? 'proc-b' : 'proc-a';
    const survivor = byName.get(survivorName)!;

    expect(await simulator.exited, simulator.output()).toEqual({ code: 0, signal: null });
    // The killed member's session (3 s) expires, the survivor takes its partitions and catches up.
    const done = await waitFor(() => caughtUp(COUNT), { timeoutMs: 120_000, what: `the group to catch up\n${survivor.output()}` });
    expect(done.members.map((member) => member.name)).toEqual([survivorName]);
    expect(done.members[0]!.assignment).toEqual([{ topic, partitions: [...Array(PARTITIONS).keys()] }]);

    const stats = await store.stats();
    await expectTotalsMatchProducedEvents(stats);
    // Each event was applied by exactly one of them: the ones the victim applied and never committed went to
    // the survivor again, and it counted them as duplicates, not twice.
    expect(stats.duplicates).toBeGreaterThanOrEqual(inHand.applied - inHand.committed);
    expect(Object.keys(stats.processors).sort()).toEqual(['proc-a', 'proc-b']);
    expect(stats.processors['proc-a']! + stats.processors['proc-b']!).toBe(COUNT);
    expect(survivor.child.exitCode).toBe(null);

    // Stopped politely, a processor leaves the group at once.
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited, survivor.output()).toEqual({ code: 0, signal: null });
    expect(survivor.output()).toContain(`left ${group}`);
    expect((await tributary.describeGroup(group)).members).toEqual([]);
  });

  it('counts nothing twice when the whole topic is delivered again', { timeout: 120_000 }, async () => {
    const before = await store.stats();
    const reset = await fetch(`${tributary.gatewayUrl}/groups/${group}/offsets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'earliest' }),
    });
    expect(reset.status, await reset.clone().text()).toBe(200);
    expect((await tributary.describeGroup(group)).lag).toBe(COUNT);

    const lines: string[] = [];
    const processor = startProcessor({
      tributary,
      store,
      topic,
      group,
      member: 'proc-replay',
      sessionTimeoutMs: 10_000,
      batch: 500,
      dedupTtlSeconds: 3_600,
      log: (line) => lines.push(line),
    });
    try {
      await waitFor(() => caughtUp(COUNT), { timeoutMs: 60_000, what: `the replay to catch up\n${lines.join('\n')}` });
    } finally {
      await processor.stop();
    }
    const after = await store.stats();
    expect(after.duplicates - before.duplicates).toBe(COUNT);
    expect({ ...after, duplicates: 0 }).toEqual({ ...before, duplicates: 0 });
    await expectTotalsMatchProducedEvents(after);
  });

  describe('the HTTP API', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await createServer({ store });
    });
    afterAll(async () => app?.close());

    const get = async (url: string) => {
      const response = await app.inject({ method: 'GET', url });
      return { status: response.statusCode, body: response.json() };
    };
    const expectError = (answer: { status: number; body: unknown }, statusCode: number, code: string, error: string) => {
      expect(answer.status).toBe(statusCode);
      expect(answer.body).toEqual({ statusCode, code, error, message: expect.any(String), retriable: false });
    };

    it('GET /api/leaderboard?top=N: the N best scores, highest first, each the sum of its events', async () => {
      const bestScores = [...expected.values()].map((player) => player.score).sort((x, y) => y - x);
      const { status, body } = await get('/api/leaderboard?top=5');
      expect(status).toBe(200);
      expect(body.top).toBe(5);
      expect(body.total_players).toBe(expected.size);
      expect(body.players.map((standing: { score: number }) => standing.score)).toEqual(bestScores.slice(0, 5));
      expect(body.players.map((standing: { rank: number }) => standing.rank)).toEqual([1, 2, 3, 4, 5]);
      for (const standing of body.players) {
        const want = expected.get(standing.player)!;
        expect(standing).toEqual({ rank: standing.rank, player: standing.player, name: want.name, score: want.score, events: want.events });
      }
      expect((await get('/api/leaderboard')).body.players).toHaveLength(10);
      expect((await get('/api/leaderboard?top=100')).body.players).toHaveLength(expected.size);
    });

    it('GET /api/leaderboard: a top that is not 1 to 100 is a 400', async () => {
      for (const top of ['0', '101', 'abc', '1.5', '-3']) {
        expectError(await get(`/api/leaderboard?top=${top}`), 400, 'INVALID_REQUEST', 'Bad Request');
      }
    });

    it('GET /api/player/:id: a player\'s score, rank and counts; an unknown one is a 404, a malformed id a 400', async () => {
      const [player, want] = [...expected].find(([, candidate]) => candidate.achievements > 0)!;
      const { status, body } = await get(`/api/player/${player}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ player, ...want });
      const ranked = (await get('/api/leaderboard?top=100')).body.players.find((standing: { player: string }) => standing.player === player);
      expect(body.rank).toBe(ranked.rank);
      const theirs = produced.filter((event) => event.player === player && event.type === 'achievement_unlocked');
      expect(body.recent_achievements.map((entry: { id: string }) => entry.id)).toEqual(theirs.map((event) => event.id).reverse().slice(0, 20));

      expectError(await get('/api/player/nobody-at-all'), 404, 'PLAYER_NOT_FOUND', 'Not Found');
      expectError(await get('/api/player/not%20an%20id'), 400, 'INVALID_REQUEST', 'Bad Request');
    });

    it('GET /api/achievements?limit=N: the latest N achievements, each one produced', async () => {
      const byId = new Map(produced.filter((event) => event.type === 'achievement_unlocked').map((event) => [event.id, event]));
      const { status, body } = await get('/api/achievements?limit=7');
      expect(status).toBe(200);
      expect(body.total).toBe(byId.size);
      expect(body.achievements).toHaveLength(7);
      for (const entry of body.achievements) {
        const event = byId.get(entry.id) as Extract<GameEvent, { type: 'achievement_unlocked' }>;
        // The simulator stamped its own events: the test's copies have the same ids and contents, not times.
        expect(entry).toEqual({ id: event.id, player: event.player, achievement: event.achievement, ts: expect.any(Number) });
      }
      for (const limit of ['0', '101', 'many']) {
        expectError(await get(`/api/achievements?limit=${limit}`), 400, 'INVALID_REQUEST', 'Bad Request');
      }
      expectError(await get('/api/nothing-here'), 404, 'ROUTE_NOT_FOUND', 'Not Found');
    });
  });

  it('pushes a new score to the open page, without a reload', { timeout: 120_000 }, async () => {
    const app = await createServer({ store });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const processor = startProcessor({ tributary, store, topic, group, member: 'proc-live', sessionTimeoutMs: 10_000, batch: 500, dedupTtlSeconds: 3_600, log: () => {} });
    const browser = await launchChromium('leaderboard');
    const pageErrors: string[] = [];
    try {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(base);
      await page.getByTestId('connection').getByText('live').waitFor();
      await expect.poll(() => page.getByTestId('leaderboard').locator('tbody tr[data-player]').count(), { timeout: 30_000 }).toBe(10);
      expect(await page.getByTestId('stat-events').textContent()).toBe(COUNT.toLocaleString('en'));
      // The console's look, served from the example kit at /styles.css, and the page's own rules after it.
      expect(await page.locator('.sidebar').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 26, 42)');
      expect(await page.locator('td.rank').first().evaluate((el) => getComputedStyle(el).color)).toBe('rgb(100, 116, 139)');
      // Set on this document: still there afterwards means the page was never reloaded.
      await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

      const player = uniqueName('newcomer');
      const name = `Nova ${player.slice(-4)}`;
      const events: GameEvent[] = [
        { id: `${player}-1`, type: 'player_joined', player, name, ts: Date.now() },
        { id: `${player}-2`, type: 'player_scored', player, points: 10_000_000, ts: Date.now() },
      ];
      // And a record that is no game event: counted as invalid, not as anything else, and the processor goes on.
      await tributary.write(topic, [
        ...events.map((event) => ({ key: player, value: event, id: event.id })),
        { key: player, value: { type: 'cheat', player, points: 1e9 }, id: `${player}-bad` },
      ]);

      const first = page.getByTestId('leaderboard').locator('tbody tr').first();
      await first.getByText(name).waitFor();
      expect(await first.locator('td').nth(2).textContent()).toBe('10,000,000');
      expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
      await waitFor(async () => (await store.stats()).invalid === 1, { what: 'the invalid record to be counted' });
      expect(await store.stats()).toMatchObject({ events: COUNT + 2, invalid: 1 });

      // A row opens the player's card, from GET /api/player/:id.
      await first.click();
      const card = page.getByTestId('player');
      await card.getByRole('heading', { name }).waitFor();
      await card.getByText('#1').waitFor();
      expect(pageErrors).toEqual([]);
      if (screenshot) await page.screenshot({ path: screenshot });
    } finally {
      await browser.close();
      await processor.stop();
      await app.close();
    }
  });
});
