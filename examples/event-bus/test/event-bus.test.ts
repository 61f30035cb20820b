// The event bus end to end, as a user runs it: a broker and a gateway on a redis-server of the test's own
// (GET /stats counts cluster-wide, so nothing else may count there: vitest.config.ts runs this file in the
// single project only) and the test run's ZooKeeper, the example's BUILT server (run `npx tsc -b` first) as a
// child process, and subscriber services as HTTP endpoints in the test. The tests run in order and share
// that run's events: the stats at the end must add up to all of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStack, type RunningStack } from '@tributary/example-kit/testing';
import { startRedis, type RunningServer } from '@tributary/local-stack';
import { waitFor } from '@tributary/testkit';

/** EVENT_BUS_SCREENSHOT=examples/event-bus/docs/event-bus.png saves the picture the README shows. */
const screenshot = process.env['EVENT_BUS_SCREENSHOT'];
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'tributary-event-bus-'));
let redis: RunningServer;
let stack: RunningStack;
let brokerUrl: string;
let gatewayUrl: string;
let bus: ChildProcess;
let busOutput = '';
let busUrl: string;

/** What each subscriber service was sent: the deliveries' bodies, in arrival order. */
interface Delivery {
  event: { event_id: string; event_type: string; source: string; payload: Record<string, unknown> };
  topic: string;
  partition: number;
  offset: number;
  delivery_count: number;
  replay_of: string | null;
}
const received = new Map<string, Delivery[]>();
let receiver: Server;
let receiverUrl: string;

/** Every event the bus stored (by id), and what the test made of it. */
const published: Array<{ event_id: string; event_type: string }> = [];

beforeAll(async () => {
  expect(existsSync(dist('server.js')), 'the example is not built: npx tsc -b').toBe(true);
  redis = await startRedis({ dir });
  stack = await startStack({ config: { redisPort: redis.port } });
  ({ brokerUrl, gatewayUrl } = stack);

  // The subscriber services: /<service> answers 200, except that `flaky` fails every event whose payload
  // says poison (500): those must end in the dead letters.
  receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const service = request.url!.slice(1);
      const delivery = JSON.parse(body) as Delivery;
      received.set(service, [...(received.get(service) ?? []), delivery]);
      response.writeHead(service === 'flaky' && delivery.event.payload['poison'] === true ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const { TRIBUTARY_API_KEY: _key, ...inherited } = process.env;
  bus = spawn(process.execPath, [dist('server.js')], {
    env: { ...inherited, BROKER_URL: brokerUrl, GATEWAY_URL: gatewayUrl, PORT: '0', PARTITIONS: '2', SESSION_TIMEOUT_MS: '10000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bus.stdout!.setEncoding('utf8').on('data', (chunk: string) => (busOutput += chunk));
  bus.stderr!.setEncoding('utf8').on('data', (chunk: string) => (busOutput += chunk));
  busUrl = await waitFor(() => /event bus on (http:\/\/\S+)/.exec(busOutput)?.[1], { timeoutMs: 30_000, what: `the bus to listen\n${busOutput}` });
});
afterAll(async () => {
  if (bus && bus.exitCode === null && bus.signalCode === null) bus.kill('SIGKILL');
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  await stack?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${busUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

async function publish(event_type: string, payload: Record<string, unknown>, event_id?: string) {
  const answer = await call('POST', '/events/publish', { event_type, source: 'match-service', payload, ...(event_id ? { event_id } : {}) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  if (!answer.body.duplicate) published.push({ event_id: answer.body.event_id, event_type });
  return answer.body;
}

/** Every record of a topic, straight from the broker. */
async function records(topic: string): Promise<Array<{ offset: number; timestamp: number; headers: Record<string, string>; value: any }>> {
  const description = await (await fetch(`${brokerUrl}/topics/${topic}`)).json();
  const all = [];
  for (const { partition } of description.partitions) {
    const answer = await (await fetch(`${brokerUrl}/topics/${topic}/partitions/${partition}/records?offset=0&max=1000`)).json();
    all.push(...answer.messages);
  }
  return all;
}

const idsOf = (deliveries: Delivery[] | undefined) => new Set((deliveries ?? []).map((delivery) => delivery.event.event_id));
const expectError = (answer: { status: number; body: unknown }, statusCode: number, code: string) => {
  expect(answer.status).toBe(statusCode);
  expect(answer.body).toMatchObject({ statusCode, code, error: expect.any(String), message: expect.any(String) });
};

describe('the event bus example', () => {
  it('stores an event published twice with one id once, and says where it went', async () => {
    const first = await publish('game.match.end', { match_id: 'm-1', winner: 'player456', duration: 1800 }, 'match-m-1-end');
    expect(first).toMatchObject({ event_id: 'match-m-1-end', topic: 'game.match.end', published: true, duplicate: false });
    const again = await publish('game.match.end', { match_id: 'm-1', winner: 'player456', duration: 1800 }, 'match-m-1-end');
    expect(again).toMatchObject({ event_id: 'match-m-1-end', published: true, duplicate: true, partition: first.partition, offset: first.offset });
    expect((await records('game.match.end')).map((record) => record.value.event_id)).toEqual(['match-m-1-end']);
    // The bus made the topic with a dead-letter setting of its own.
    expect((await (await fetch(`${brokerUrl}/topics/game.match.end`)).json()).config.dead_letter_topic).toBe('game.match.end.dlq');

    const status = await call('GET', '/events/match-m-1-end/status?type=game.match.end');
    expect(status).toEqual({
      status: 200,
      body: { event_id: 'match-m-1-end', topic: 'game.match.end', status: 'published', partition: first.partition, offset: first.offset, timestamp: first.timestamp },
    });
    // Without an id the bus makes one.
    const unnamed = await publish('game.match.end', { match_id: 'm-2', winner: 'player7' });
    expect(unnamed.event_id).toMatch(/^[0-9a-f-]{36}$/);

    expectError(await call('GET', '/events/never-published/status?type=game.match.end'), 404, 'RECORD_ID_NOT_FOUND');
    expectError(await call('GET', '/events/match-m-1-end/status'), 400, 'INVALID_REQUEST');
    expectError(await call('POST', '/events/publish', { event_type: 'no-dots', source: 's', payload: {} }), 400, 'INVALID_REQUEST');
    expectError(await call('POST', '/events/publish', { event_type: 'game.match.end', payload: {} }), 400, 'INVALID_REQUEST');
  });

  it('delivers game.match.end and game.player.kill to a game.* subscriber, and not system.health', { timeout: 120_000 }, async () => {
    const created = await call('POST', '/subscriptions', { service_name: 'analytics', topic_pattern: 'game.*', endpoint: `${receiverUrl}/analytics` });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ service_name: 'analytics', topic_pattern: 'game.*', max_retries: 3, from: 'earliest', group: 'analytics' });
    expectError(await call('POST', '/subscriptions', { service_name: 'analytics', topic_pattern: 'x.*', endpoint: `${receiverUrl}/x` }), 409, 'SUBSCRIPTION_EXISTS');
    expectError(await call('POST', '/subscriptions', { service_name: 'bad', topic_pattern: 'game.*', endpoint: 'ftp://nowhere' }), 400, 'INVALID_REQUEST');

    for (let i = 0; i < 10; i++) await publish('game.player.kill', { killer: `p${i}`, victim: `p${i + 1}`, weapon: 'plasma_rifle' });
    for (let i = 0; i < 5; i++) await publish('game.match.end', { match_id: `m-${10 + i}`, winner: i % 2 === 0 ? 'player456' : 'player7' });
    for (let i = 0; i < 5; i++) await publish('system.health', { server: `server-0${i}`, healthy: true });

    const game = new Set(published.filter((event) => event.event_type.startsWith('game.')).map((event) => event.event_id));
    expect(game.size).toBe(17);
    await waitFor(() => idsOf(received.get('analytics')).size === game.size, { timeoutMs: 60_000, what: `analytics to receive the game events\n${busOutput}` });
    expect(idsOf(received.get('analytics'))).toEqual(game);
    expect(received.get('analytics')!.every((delivery) => delivery.topic === delivery.event.event_type)).toBe(true);
    expect(new Set(received.get('analytics')!.map((delivery) => delivery.topic))).toEqual(new Set(['game.match.end', 'game.player.kill']));
  });

  it('sends the events a handler keeps failing to the dead-letter topic after max retries, and commits the others', { timeout: 120_000 }, async () => {
    const created = await call('POST', '/subscriptions', { service_name: 'flaky', topic_pattern: 'game.*', endpoint: `${receiverUrl}/flaky`, max_retries: 2, retry_delay_ms: 200 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const poison = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const event = await publish('game.match.end', { match_id: `m-${20 + i}`, winner: 'player9', poison: i % 3 === 0 });
      if (i % 3 === 0) poison.add(event.event_id);
    }
    expect(poison.size).toBe(3);
    const game = new Set(published.filter((event) => event.event_type.startsWith('game.')).map((event) => event.event_id));

    const deadLetters = await waitFor(
      async () => {
        const letters = await records('game.match.end.dlq').catch(() => []);
        return letters.length === poison.size && letters;
      },
      { timeoutMs: 60_000, what: `the poison events in game.match.end.dlq\n${busOutput}` },
    );
    expect(new Set(deadLetters.map((letter) => letter.value.event_id))).toEqual(poison);
    for (const letter of deadLetters) {
      expect(letter.headers).toMatchObject({ 'dlq-original-topic': 'game.match.end', 'dlq-delivery-count': '3', 'dlq-group': 'flaky', 'dlq-reason': expect.stringContaining('answered 500') });
    }
    // Each poison event was tried 1 + max_retries times; every other game event was handled once and committed.
    await waitFor(() => idsOf(received.get('flaky')).size === game.size, { timeoutMs: 60_000, what: 'flaky to be sent every game event' });
    for (const id of poison) expect(received.get('flaky')!.filter((delivery) => delivery.event.event_id === id).map((delivery) => delivery.delivery_count)).toEqual([1, 2, 3]);
    const group = await waitFor(
      async () => {
        const description = await (await fetch(`${gatewayUrl}/groups/flaky`)).json();
        return description.lag === 0 && description.partitions.every((partition: { nacked: number }) => partition.nacked === 0) && description;
      },
      { timeoutMs: 30_000, what: 'the flaky group to commit everything' },
    );
    expect(group.partitions.map((partition: { topic: string }) => partition.topic).sort()).not.toContain('game.match.end.dlq');
    // The bus counts a dead letter when the gateway's answer to its nack arrives, a moment after the commit.
    const view = await waitFor(
      async () => {
        const flaky = (await call('GET', '/subscriptions')).body.subscriptions.find((s: { service_name: string }) => s.service_name === 'flaky');
        return flaky.dead_lettered === poison.size && flaky;
      },
      { what: 'the bus to count the dead letters' },
    );
    expect(view).toMatchObject({ status: 'running', delivered: game.size - poison.size, failed: poison.size * 3, dead_lettered: poison.size });
    // The game.* analytics service handled them all, poison or not, and never saw the dead letters.
    await waitFor(() => idsOf(received.get('analytics')).size === game.size, { timeoutMs: 60_000, what: 'analytics to receive the new events' });
    expect(received.get('analytics')!.some((delivery) => delivery.topic.endsWith('.dlq'))).toBe(false);
  });

  it('replays a time window of a topic, filtered on the payload, into another topic and to one service, to 100 %', { timeout: 120_000 }, async () => {
    // Before, inside and after the window, each phase in a later millisecond than the one before.
    const later = async (than: number) => waitFor(() => Date.now() > than + 2, { intervalMs: 5, what: 'the clock to move on' });
    const before = await publish('game.match.end', { match_id: 'r-0', winner: 'player456' });
    await later(before.timestamp);
    const inside = [];
    for (let i = 0; i < 12; i++) inside.push(await publish('game.match.end', { match_id: `r-${i + 1}`, winner: i % 3 === 0 ? 'player456' : 'player7' }));
    const from = Math.min(...inside.map((event) => event.timestamp));
    const to = Math.max(...inside.map((event) => event.timestamp));
    expect(from).toBeGreaterThan(before.timestamp);
    await later(to);
    const after = await publish('game.match.end', { match_id: 'r-13', winner: 'player456' });
    expect(after.timestamp).toBeGreaterThan(to);

    const started = await call('POST', '/replay', { topic: 'game.match.end', target: { topic: 'debug.player456' }, from, to, filter: { 'payload.winner': 'player456' } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const replay = await waitFor(
      async () => {
        const answer = await call('GET', `/replay/${started.body.replay_id}`);
        return answer.body.status === 'completed' && answer.body;
      },
      { timeoutMs: 60_000, what: 'the replay to complete' },
    );
    const matching = inside.filter((_, i) => i % 3 === 0).map((event) => event.event_id);
    expect(replay.progress).toMatchObject({ percent: 100, matched: matching.length, written: matching.length });
    expect((await records('debug.player456')).map((record) => record.value.event_id).sort()).toEqual(matching.sort());

    // The same window to one subscribed service only: analytics is sent the matching events again, flaky not.
    const toService = await call('POST', '/replay', { topic: 'game.match.end', target: { group: 'analytics' }, from, to, filter: { 'payload.winner': 'player456' } });
    expect(toService.status, JSON.stringify(toService.body)).toBe(202);
    expect(toService.body.target).toEqual({ topic: '__replay.analytics', group: 'analytics' });
    await waitFor(async () => (await call('GET', `/replay/${toService.body.replay_id}`)).body.status === 'completed', { timeoutMs: 60_000, what: 'the replay to analytics to complete' });
    const again = await waitFor(
      () => {
        const replayed = received.get('analytics')!.filter((delivery) => delivery.replay_of !== null);
        return replayed.length === matching.length && replayed;
      },
      { timeoutMs: 60_000, what: `analytics to be sent the replayed events\n${busOutput}` },
    );
    expect(again.map((delivery) => delivery.event.event_id).sort()).toEqual(matching.sort());
    expect(again.every((delivery) => delivery.topic === '__replay.analytics' && delivery.replay_of!.startsWith('game.match.end/'))).toBe(true);
    expect(received.get('flaky')!.some((delivery) => delivery.replay_of !== null || delivery.topic.startsWith('__replay.'))).toBe(false);

    const listed = (await call('GET', '/replays')).body.replays.map((replay: { replay_id: string }) => replay.replay_id);
    expect(listed).toEqual(expect.arrayContaining([started.body.replay_id, toService.body.replay_id]));

    // Tributary's own answers to a bad replay are passed on.
    expectError(await call('POST', '/replay', { topic: 'game.match.end', target: { topic: 'debug.player456' }, filter: { $where: 'true' } }), 400, 'INVALID_FILTER');
    expectError(await call('GET', '/replay/0123456789abcdef'), 404, 'REPLAY_NOT_FOUND');
    expectError(await call('POST', '/replay', { target: { topic: 'debug.player456' } }), 400, 'INVALID_REQUEST');
    expectError(await call('POST', '/replay', { topic: 'game.match.end', target: { group: 'nobody-subscribed' } }), 404, 'GROUP_NOT_FOUND');
    const malformed = await fetch(`${busUrl}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topic": ' });
    expectError({ status: malformed.status, body: await malformed.json() }, 400, 'INVALID_REQUEST');
  });

  it('GET /stats: what was published and consumed adds up to what the bus did', { timeout: 60_000 }, async () => {
    const stats = await waitFor(
      async () => {
        const { body } = await call('GET', '/stats');
        const copies = 3 + 4 + 4; // the dead letters and both replays' copies are stored records too
        const handled = body.bus.delivered + body.bus.failed;
        return body.total_events_published === published.length + copies && body.total_events_consumed === handled && body;
      },
      { timeoutMs: 30_000, what: 'the stats to count everything' },
    );
    expect(stats.bus).toEqual({ published: published.length, duplicates: 1, delivered: expect.any(Number), failed: 9, dead_lettered: 3, subscriptions: 2 });
    expect(stats.active_subscriptions).toBe(2);
    expect(stats.error_rate).toBeCloseTo(9 / (stats.bus.delivered + 9), 10);
    // game.match.end, game.player.kill, system.health, the dead letters and the replays' two targets.
    expect(stats.active_topics).toBe(6);
    expect(stats.tributary.subscriptions.groups).toBe(2);
  });

  it('shows the stats, subscriptions and replays on a page that keeps itself up to date', { timeout: 120_000 }, async () => {
    const browser = await launchChromium('event-bus');
    const pageErrors: string[] = [];
    try {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(busUrl);
      await page.getByTestId('connection').getByText('live').waitFor();
      await page.getByTestId('subscriptions').locator('tr[data-service="flaky"]').waitFor();
      expect(await page.getByTestId('subscriptions').locator('tbody tr').count()).toBe(2);
      expect(await page.getByTestId('stat-dead-letters').textContent()).toBe('3');
      await expect.poll(() => page.getByTestId('replays').getByText('100 %').count(), { timeout: 30_000 }).toBe(2);
      await page.getByTestId('replays').getByText('game.match.end → service analytics').waitFor();
      // The console's look, served from the example kit at /styles.css, and the page's own rules after it.
      expect(await page.locator('.sidebar').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 26, 42)');
      expect(await page.locator('.progress').first().evaluate((el) => getComputedStyle(el).width)).toBe('80px');

      const shown = Number((await page.getByTestId('stat-published').textContent())!.replace(/,/g, ''));
      await publish('game.player.kill', { killer: 'p1', victim: 'p2' });
      await expect.poll(async () => Number((await page.getByTestId('stat-published').textContent())!.replace(/,/g, '')), { timeout: 30_000 }).toBe(shown + 1);
      expect(pageErrors).toEqual([]);
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('DELETE /subscriptions/:service stops the service\'s worker, which leaves its group', { timeout: 60_000 }, async () => {
    const deleted = await call('DELETE', '/subscriptions/flaky');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ service_name: 'flaky', status: 'stopped' });
    expect((await (await fetch(`${gatewayUrl}/groups/flaky`)).json()).members).toEqual([]);
    expect((await call('GET', '/subscriptions')).body.subscriptions.map((s: { service_name: string }) => s.service_name)).toEqual(['analytics']);
    expectError(await call('DELETE', '/subscriptions/flaky'), 404, 'SUBSCRIPTION_NOT_FOUND');
  });

  it('stops politely: each subscription leaves its group', { timeout: 60_000 }, async () => {
    const exited = new Promise((resolve) => bus.once('exit', (code, signal) => resolve({ code, signal })));
    bus.kill('SIGTERM');
    expect(await exited, busOutput).toEqual({ code: 0, signal: null });
    expect((await (await fetch(`${gatewayUrl}/groups/analytics`)).json()).members).toEqual([]);
  });

  it('answers 503 TRIBUTARY_UNAVAILABLE, retriable, while Tributary is out of reach; a bad setting stops it at start', { timeout: 60_000 }, async () => {
    const run = (env: Record<string, string>) => {
      const { TRIBUTARY_API_KEY: _key, ...inherited } = process.env;
      const child = spawn(process.execPath, [dist('server.js')], { env: { ...inherited, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      return { child, exited, output: () => output };
    };
    // Nothing listens on the closed port of a server that was started and stopped.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const nowhere = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const orphan = run({ BROKER_URL: nowhere, GATEWAY_URL: nowhere });
    try {
      const url = await waitFor(() => /event bus on (http:\/\/\S+)/.exec(orphan.output())?.[1], { timeoutMs: 30_000, what: `the bus to listen\n${orphan.output()}` });
      const answer = await fetch(`${url}/events/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event_type: 'game.match.end', source: 's', payload: {} }) });
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ statusCode: 503, code: 'TRIBUTARY_UNAVAILABLE', error: 'Service Unavailable', retriable: true });
    } finally {
      orphan.child.kill('SIGTERM');
      expect(await orphan.exited).toEqual({ code: 0, signal: null });
    }

    const misconfigured = run({ PARTITIONS: 'many' });
    expect(await misconfigured.exited).toEqual({ code: 1, signal: null });
    expect(misconfigured.output()).toContain('PARTITIONS must be an integer from 1 to 1000, not "many"');
  });
});
