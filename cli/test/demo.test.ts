// `tributary demo` runs the local stack of `up` (its own redis-server, data in TRIBUTARY_DATA; ZooKeeper is the
// test run's, as in up.test.ts) and the example applications' built scripts on it, as plain node child
// processes: the test sees what a person running `npm run demo` sees, pages and numbers included.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '@tributary/local-stack';
import { uniqueName, waitFor } from '@tributary/testkit';
import { BIN, spawnTributary, tributary, type Child } from './harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `count` different free ports. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** The environment of a demo on free ports, with a data directory and ZooKeeper root of its own. */
async function demoEnv(): Promise<{ env: Record<string, string>; dir: string; ports: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-demo-'));
  dirs.push(dir);
  const [broker, gateway, redis, leaderboard, analytics, eventBus] = (await freePorts(6)) as [number, number, number, number, number, number];
  const ports = { broker, gateway, redis, leaderboard, analytics, eventBus };
  const env = {
    TRIBUTARY_DATA: dir,
    BROKER_PORT: String(broker),
    GATEWAY_PORT: String(gateway),
    REDIS_PORT: String(redis),
    LEADERBOARD_PORT: String(leaderboard),
    ANALYTICS_PORT: String(analytics),
    EVENT_BUS_PORT: String(eventBus),
    ZOOKEEPER_HOST: inject('zookeeperHost'),
    ZOOKEEPER_ROOT: `/${uniqueName('demo')}`,
  };
  return { env, dir, ports };
}

/** The URL printed after `label` in the demo's list of URLs. */
function printedUrl(demo: Child, label: string): string {
  const match = new RegExp(`^  ${label} +(http://\\S+)`, 'm').exec(demo.stderr);
  if (!match) throw new Error(`no URL for ${label} in:\n${demo.stderr}`);
  return match[1]!;
}

async function json(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Processes whose command line or environment names `text`: the demo's redis-server names its data directory
 * in its arguments; the broker, the gateway and the examples' processes inherit TRIBUTARY_DATA.
 */
function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const environment = readFileSync(`/proc/${pid}/environ`, 'utf8');
        return commandLine.includes(text) || environment.includes(text) ? [`${pid}: ${commandLine}`] : [];
      } catch {
        return []; // gone meanwhile, or not ours to read
      }
    });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('tributary demo', () => {
  it('runs the stack and every example, prints their URLs, shows events flowing, and Ctrl-C stops every process with exit 0', async () => {
    const { env, dir, ports } = await demoEnv();
    const demo = spawnTributary(['demo', '--rate', '50'], env);
    let stopped = false;
    try {
      await demo.waitForOutput('the examples running', (child) => child.stderr.includes('The examples are running.'), 120_000);
      expect(demo.stderr).toContain('Tributary is up.');
      expect(demo.stderr).toContain(`starting redis-server on 127.0.0.1:${ports.redis} (AOF`);

      const consoleUrl = printedUrl(demo, 'web console');
      expect(consoleUrl).toBe(`http://localhost:${ports.broker}/ui`);
      const leaderboardUrl = printedUrl(demo, 'leaderboard');
      expect(leaderboardUrl).toBe(`http://localhost:${ports.leaderboard}`);
      const analyticsUrl = printedUrl(demo, 'analytics dashboard');
      expect(analyticsUrl).toBe(`http://localhost:${ports.analytics}`);
      const eventBusUrl = printedUrl(demo, 'event bus');
      expect(eventBusUrl).toBe(`http://localhost:${ports.eventBus}`);
      expect(demo.stderr).toContain(`API docs             http://localhost:${ports.broker}/docs and http://localhost:${ports.gateway}/docs`);
      for (const readme of ['examples/leaderboard/README.md', 'examples/analytics/README.md', 'examples/game-updates/README.md', 'examples/event-bus/README.md']) {
        expect(demo.stderr).toContain(readme);
      }

      // Every page is there: the list is printed once the examples' pages answer.
      expect(demo.stderr).not.toContain('Not answering yet');
      for (const page of [consoleUrl, `http://localhost:${ports.broker}/docs`, `http://localhost:${ports.gateway}/docs`, leaderboardUrl, analyticsUrl, eventBusUrl]) {
        const response = await fetch(page);
        expect(response.status, page).toBe(200);
        expect(response.headers.get('content-type'), page).toMatch(/^text\/html/);
      }

      // Events flow: the simulators write, the consumer groups count, and the numbers keep rising.
      const leaderboardEvents = async () => (await json(`${leaderboardUrl}/api/stats`))['events'] as number;
      const analyticsEvents = async () => (await json(`${analyticsUrl}/api/aggregates`))['events'] as number;
      for (const [what, events] of [
        ['the leaderboard', leaderboardEvents],
        ['the analytics', analyticsEvents],
      ] as const) {
        const first = await waitFor(async () => ((await events()) > 0 ? await events() : undefined), { timeoutMs: 60_000, intervalMs: 250, what: `${what}'s first events` });
        await waitFor(async () => (await events()) > first, { timeoutMs: 60_000, intervalMs: 250, what: `${what}'s events rising past ${first}` });
      }
      // Both processors and both aggregators of each group hold partitions.
      const processors = (await json(`${leaderboardUrl}/api/stats`))['processors'] as Record<string, number>;
      await waitFor(async () => Object.keys((await json(`${leaderboardUrl}/api/stats`))['processors'] as object).length === 2, {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `both leaderboard processors applying events (so far ${JSON.stringify(processors)})`,
      });
      await waitFor(
        async () => {
          const { partitions } = (await json(`${analyticsUrl}/api/group`)) as { partitions: Array<{ holder: string | null }> };
          return new Set(partitions.map((partition) => partition.holder)).size === 2;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'both analytics aggregators holding partitions' },
      );
      // The event bus has no simulator: an event published as its printed curl does is stored, and counted.
      const published = await fetch(`${eventBusUrl}/events/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event_type: 'game.match.end', source: 'demo-test', event_id: 'demo-test-1', payload: { winner: 'player456' } }),
      });
      expect(published.status).toBe(200);
      expect(await published.json()).toMatchObject({ event_id: 'demo-test-1', topic: 'game.match.end', published: true, duplicate: false });
      expect(demo.stderr).toContain(`curl -X POST ${eventBusUrl}/events/publish `);
      // game-updates has no page: its demo player's feed shows the producer's updates.
      await demo.waitForOutput('a game update in the player\'s feed', (child) => /^\[game-updates-player\] \S+ +(chess|kart|tactics) +\[/m.test(child.stdout), 60_000);

      const started = [...demo.stderr.matchAll(/^started (\S+) \(pid (\d+)\)$/gm)].map(([, name, pid]) => ({ name: name!, pid: Number(pid) }));
      expect(started.map(({ name }) => name).sort()).toEqual(
        [
          'analytics-aggregator-1',
          'analytics-aggregator-2',
          'analytics-server',
          'analytics-simulator',
          'event-bus',
          'game-updates-player',
          'game-updates-producer',
          'leaderboard-processor-1',
          'leaderboard-processor-2',
          'leaderboard-server',
          'leaderboard-simulator',
        ].sort(),
      );
      expect(started.every(({ pid }) => isAlive(pid))).toBe(true);
      // The broker, the gateway, the redis-server and the eleven parts (the CLI itself too).
      expect(processesNaming(dir).length).toBeGreaterThanOrEqual(14);

      demo.process.kill('SIGINT');
      const result = await demo.exited;
      stopped = true;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('Tributary stopped.');
      // The examples stopped first, while the gateway still answered their leaving their groups.
      expect(result.stdout).toMatch(/^\[leaderboard-processor-1\] .*: left leaderboard$/m);
      expect(result.stdout).toMatch(/^\[leaderboard-processor-2\] .*: left leaderboard$/m);
      // Nothing is left: not one example, not the broker or the gateway, not the redis-server.
      expect(started.filter(({ pid }) => isAlive(pid))).toEqual([]);
      expect(processesNaming(dir)).toEqual([]);
    } finally {
      if (!stopped) {
        demo.process.kill('SIGINT');
        await demo.exited;
      }
    }
  }, 300_000);

  it('Ctrl-C in a terminal, which signals every process of the group at once, stops everything too, exit 0', async () => {
    const { env, dir } = await demoEnv();
    // A process group of its own, as a terminal's foreground job is: the signal reaches the CLI, the stack's
    // servers and the examples' processes together.
    const { TRIBUTARY_BROKER: _broker, TRIBUTARY_GATEWAY: _gateway, TRIBUTARY_API_KEY: _key, ...inherited } = process.env;
    const demo = spawn(process.execPath, [BIN, 'demo', '--rate', '20'], { env: { ...inherited, KAFKA_PORT: '0', ...env }, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => demo.once('close', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('The examples are running.'), { timeoutMs: 120_000, intervalMs: 250, what: `the examples running; stderr so far:\n${stderr}` });
    } finally {
      process.kill(-demo.pid!, 'SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('Tributary stopped.');
    expect(processesNaming(dir)).toEqual([]);
  }, 180_000);

  it('SIGTERM while the stack is still starting stops what started, exit 0', async () => {
    const { env, dir } = await demoEnv();
    const demo = spawnTributary(['demo'], env);
    try {
      await demo.waitForOutput('Redis starting', (child) => child.stderr.includes('starting redis-server'), 60_000);
    } finally {
      demo.process.kill('SIGTERM');
    }
    const result = await demo.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Tributary stopped.');
    expect(processesNaming(dir)).toEqual([]);
  }, 120_000);

  it('refuses a wrong --rate as a usage error (exit 2), and a taken example port before starting anything (exit 1)', async () => {
    const { env } = await demoEnv();
    const rate = await tributary(['demo', '--rate', '0'], { env });
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('error: --rate takes 1 to 100000 events per second, not "0"');

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(Number(env['ANALYTICS_PORT']), '127.0.0.1', resolve));
    try {
      const busy = await tributary(['demo'], { env });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`error: port ${env['ANALYTICS_PORT']} for the analytics example is in use; stop what uses it or set ANALYTICS_PORT`);
      expect(busy.stderr).not.toContain('starting');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);
});
