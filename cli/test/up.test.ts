// `tributary up` runs the real local stack: its own redis-server (AOF, data in TRIBUTARY_DATA), a broker and a
// gateway as child processes. ZooKeeper is the test run's (ZOOKEEPER_HOST), because the local stack's own
// ZooKeeper prefers the fixed port 2181 and tests use free ports only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '@tributary/local-stack';
import { uniqueEmail, uniqueName } from '@tributary/testkit';
import { spawnTributary, tributary, type Child } from './harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * `tributary <args> up`, with a data directory and ZooKeeper root of its own unless it starts again on
 * earlier ones.
 */
async function startUp(
  args: string[],
  { dir = mkdtempSync(join(tmpdir(), 'tributary-up-')), zookeeperRoot = `/${uniqueName('up')}`, redisCluster = false } = {},
): Promise<{ up: Child; brokerUrl: string; gatewayUrl: string; redisPort: number }> {
  dirs.push(dir);
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [brokerPort, gatewayPort, redisPort] = ports as [number, number, number];
  const up = spawnTributary([...args, 'up', ...(redisCluster ? ['--redis-cluster'] : [])], {
    TRIBUTARY_DATA: dir,
    BROKER_PORT: String(brokerPort),
    GATEWAY_PORT: String(gatewayPort),
    REDIS_PORT: String(redisPort),
    ZOOKEEPER_HOST: inject('zookeeperHost'),
    ZOOKEEPER_ROOT: zookeeperRoot,
  });
  return { up, brokerUrl: `http://localhost:${brokerPort}`, gatewayUrl: `http://localhost:${gatewayPort}`, redisPort };
}

/** Ctrl-C, then the exit. */
async function interrupt(up: Child) {
  up.process.kill('SIGINT');
  return up.exited;
}

describe('tributary up', () => {
  it('runs the local stack, prints the quick start, serves the CLI, and stops on Ctrl-C with exit 0', async () => {
    const { up, brokerUrl, gatewayUrl, redisPort } = await startUp([]);
    try {
      await up.waitForOutput('the quick start', (child) => child.stderr.includes('Tributary is up.'), 60_000);
      expect(up.stderr).toContain(`starting redis-server on 127.0.0.1:${redisPort} (AOF`);
      expect(up.stderr).toContain(`broker            ${brokerUrl}`);
      expect(up.stderr).toContain(`consumer gateway  ${gatewayUrl}`);
      expect(up.stderr).toContain(`web console       ${brokerUrl}/ui `);
      expect(up.stderr).toContain(`API docs          ${brokerUrl}/docs and ${gatewayUrl}/docs `);
      // Both pages are there at the URLs printed.
      for (const page of [`${brokerUrl}/ui`, `${brokerUrl}/docs`, `${gatewayUrl}/docs`]) {
        const response = await fetch(page);
        expect(response.status, page).toBe(200);
        expect(response.headers.get('content-type'), page).toMatch(/^text\/html/);
      }

      const urls = ['--broker', brokerUrl, '--gateway', gatewayUrl];
      const topic = uniqueName('topic');
      expect((await tributary([...urls, 'topics', 'create', topic, '-p', '2'])).code).toBe(0);
      expect((await tributary([...urls, 'produce', topic, '-k', 'k', 'hello'])).stdout).toMatch(/^wrote 1 record/);
      const consumed = await tributary([...urls, 'consume', topic, '--email', uniqueEmail(), '--key', 'k']);
      expect(consumed.stdout).toMatch(/^0\tk\thello\n$/);

      // A client's mistake (409) shows in the services' output as one readable line, not as pino's JSON.
      expect((await tributary([...urls, 'topics', 'create', topic, '-p', '2'])).code).toBe(1);
      await up.waitForOutput('the 409 logged', (child) => child.stdout.includes(`[broker] TOPIC_EXISTS /create_topic/${topic}/2: `));
      expect(up.lines.filter((line) => /^\[(broker|gateway)\] \{/.test(line))).toEqual([]);
    } finally {
      const result = await interrupt(up);
      expect(result.code).toBe(0);
    }
    expect(up.stderr).toContain('Tributary stopped.');
  }, 90_000);

  it('--json prints the service URLs as one JSON line once the stack is ready', async () => {
    const { up, brokerUrl, gatewayUrl } = await startUp(['--json']);
    try {
      await up.waitForOutput('the URLs', (child) => child.lines.some((line) => line.startsWith('{')), 60_000);
      // Nothing but the JSON on stdout: the services' own log lines go to stderr.
      expect(up.lines.map((line) => JSON.parse(line))).toEqual([{ broker: brokerUrl, gateway: gatewayUrl }]);
      expect(up.stderr).toMatch(/^\[broker\] /m);
      expect(up.stderr).not.toContain('Tributary is up.');
      expect((await tributary(['--broker', brokerUrl, '--gateway', gatewayUrl, 'cluster'])).code).toBe(0);
    } finally {
      expect((await interrupt(up)).code).toBe(0);
    }
  }, 90_000);

  it('--redis-cluster runs the stack on a local Redis Cluster, which keeps its records (and the quick start\'s topic) across a restart', async () => {
    const restartable = { dir: mkdtempSync(join(tmpdir(), 'tributary-up-')), zookeeperRoot: `/${uniqueName('up')}`, redisCluster: true };
    const topic = uniqueName('topic');
    const first = await startUp([], restartable);
    try {
      await first.up.waitForOutput('the quick start', (child) => child.stderr.includes('Tributary is up.'), 60_000);
      expect(first.up.stderr).toContain(`starting a Redis Cluster of 3 masters (AOF`);
      expect(first.up.stderr).toContain(`curl -X POST ${first.brokerUrl}/create_topic/news/3`);
      const urls = ['--broker', first.brokerUrl, '--gateway', first.gatewayUrl];
      // The services talk to the cluster, not to some single Redis.
      const cluster = JSON.parse((await tributary(['--json', ...urls, 'cluster'])).stdout);
      expect(cluster.redis.address).toMatch(/^cluster 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      expect((await tributary([...urls, 'topics', 'create', topic, '-p', '6'])).code).toBe(0);
      expect((await tributary([...urls, 'topics', 'create', 'news', '-p', '3'])).code).toBe(0);
      expect((await tributary([...urls, 'produce', topic, '-k', 'k', 'hello'])).stdout).toMatch(/^wrote 1 record/);
      const consumed = await tributary([...urls, 'consume', topic, '--email', uniqueEmail(), '--key', 'k']);
      expect(consumed.stdout).toMatch(/^0\tk\thello\n$/);
    } finally {
      expect((await interrupt(first.up)).code).toBe(0);
    }

    // The same data directory: the cluster starts again as itself, with the record.
    const second = await startUp([], restartable);
    try {
      await second.up.waitForOutput('the quick start', (child) => child.stderr.includes('Tributary is up.'), 60_000);
      // The quick start's topic is there from the first start: no suggestion to create it again (a 409).
      expect(second.up.stderr).toContain('# topic "news" exists from an earlier start');
      expect(second.up.stderr).not.toContain('create_topic');
      const urls = ['--broker', second.brokerUrl, '--gateway', second.gatewayUrl];
      const consumed = await tributary([...urls, 'consume', topic, '--email', uniqueEmail(), '--key', 'k']);
      expect(consumed.stdout).toMatch(/^0\tk\thello\n$/);
    } finally {
      expect((await interrupt(second.up)).code).toBe(0);
    }
  }, 150_000);

  it('a second up on the same data directory refuses at once, naming the stack that runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-up-'));
    const { up: first, brokerUrl } = await startUp([], { dir });
    try {
      await first.waitForOutput('the quick start', (child) => child.stderr.includes('Tributary is up.'), 60_000);
      const second = await tributary(['up'], {
        env: {
          TRIBUTARY_DATA: dir,
          BROKER_PORT: String(await freePort()),
          GATEWAY_PORT: String(await freePort()),
          REDIS_PORT: String(await freePort()),
          ZOOKEEPER_HOST: inject('zookeeperHost'),
          ZOOKEEPER_ROOT: `/${uniqueName('up')}`,
        },
      });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^error: a Tributary stack is already running on .*: process ${first.process.pid}, .*broker ${brokerUrl}`, 'm'));
      expect(second.stderr).not.toContain('starting');
    } finally {
      expect((await interrupt(first)).code).toBe(0);
    }
  }, 90_000);

  it('a port in use is reported in one line, naming the Tributary stack on it, exit 1', async () => {
    const { up: first, brokerUrl } = await startUp([]);
    try {
      await first.waitForOutput('the quick start', (child) => child.stderr.includes('Tributary is up.'), 60_000);
      const dir = mkdtempSync(join(tmpdir(), 'tributary-up-'));
      dirs.push(dir);
      const second = await tributary(['up'], {
        env: {
          TRIBUTARY_DATA: dir,
          BROKER_PORT: new URL(brokerUrl).port,
          GATEWAY_PORT: String(await freePort()),
          REDIS_PORT: String(await freePort()),
          ZOOKEEPER_HOST: inject('zookeeperHost'),
          ZOOKEEPER_ROOT: `/${uniqueName('up')}`,
        },
      });
      expect(second.code).toBe(1);
      const port = new URL(brokerUrl).port;
      expect(second.stderr).toMatch(new RegExp(`^error: port ${port} for the broker is in use; a Tributary broker answers there .*set BROKER_PORT\\n$`, 'm'));
      // Found before Redis or ZooKeeper started.
      expect(second.stderr).not.toContain('starting');
    } finally {
      expect((await interrupt(first)).code).toBe(0);
    }
  }, 90_000);
});
