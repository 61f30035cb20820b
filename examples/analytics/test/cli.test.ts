// The README's commands, run as a user runs them: the built aggregator, server, simulator and offline scripts
// as child processes, the aggregator started before the topic exists. The dashboard's aggregates equal what
// offline.js makes of the log file the simulator wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type RunningStack } from '@tributary/example-kit/testing';
import { uniqueName, waitFor } from '@tributary/testkit';
import { Background, runScript } from './run.js';

let stack: RunningStack;
let env: Record<string, string>;
const running: Background[] = [];
const dir = mkdtempSync(join(tmpdir(), 'analytics-cli-'));

beforeAll(async () => {
  stack = await startStack();
  env = {
    BROKER_URL: stack.brokerUrl,
    GATEWAY_URL: stack.gatewayUrl,
    TOPIC: uniqueName('telemetry'),
    GROUP: uniqueName('analytics'),
    REDIS_URL: `redis://127.0.0.1:${inject('redisPort')}`,
    KEY_PREFIX: `${uniqueName('analytics')}:`,
  };
});
afterAll(async () => {
  await Promise.all(running.map((child) => child.stop()));
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function getJson(base: string, path: string): Promise<any> {
  const response = await fetch(`${base}${path}`);
  expect(response.status, path).toBe(200);
  return response.json();
}

describe('the simulator, aggregator, server and offline scripts', () => {
  it('run as the README says, and the dashboard agrees with the offline computation of the log', { timeout: 180_000 }, async () => {
    const aggregator = new Background('aggregator.js', { ...env, MEMBER: 'cli-aggregator', SESSION_TIMEOUT_MS: '10000' });
    const server = new Background('server.js', { ...env, PORT: '0' });
    running.push(aggregator, server);
    await waitFor(() => /dashboard at (http:\/\/\S+)/.exec(server.stdout)?.[1], { what: 'the server to listen', timeoutMs: 30_000 });
    const base = /dashboard at (http:\/\/\S+)/.exec(server.stdout)![1]!;

    const log = join(dir, 'events.jsonl');
    const simulated = await runScript('simulator.js', [], { ...env, SEED: '5', PLAYERS: '20', EVENTS: '600', RATE: '0', BATCH: '100', PARTITIONS: '3', LOG_FILE: log });
    expect(simulated.code, simulated.stderr).toBe(0);
    expect(simulated.stdout.trim().split('\n').at(-1)).toBe('published 600 events');

    await waitFor(
      async () => {
        const { lag, partitions } = await getJson(base, '/api/group');
        const written = partitions.reduce((sum: number, partition: { high_watermark: number }) => sum + partition.high_watermark, 0);
        return lag === 0 && partitions.length === 3 && written === 600;
      },
      { what: 'the aggregator to consume every event', timeoutMs: 150_000, intervalMs: 250 },
    );
    expect(aggregator.stdout).toContain(`joined ${env['GROUP']} as cli-aggregator`);

    const offline = await runScript('offline.js', [log], {});
    expect(offline.code, offline.stderr).toBe(0);
    const expected = JSON.parse(offline.stdout);
    expect(expected.events).toBe(600);
    expect(await getJson(base, '/api/aggregates')).toEqual(expected);

    // SIGTERM: the aggregator leaves its group and both exit cleanly.
    expect((await aggregator.stop()).code).toBe(0);
    expect((await server.stop()).code).toBe(0);
  });

  it('exit 1 with a message on a bad setting or usage', { timeout: 60_000 }, async () => {
    const rate = await runScript('simulator.js', [], { ...env, RATE: 'fast' });
    expect(rate.code).toBe(1);
    expect(rate.stderr).toBe('simulator: RATE must be an integer from 0 to 1000000, not "fast"\n');
    const offline = await runScript('offline.js', [], {});
    expect(offline.code).toBe(1);
    expect(offline.stderr).toBe('offline: usage: offline.js <events.jsonl>\n');
  });
});
