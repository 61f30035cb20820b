// The analytics example end to end, over Tributary's public HTTP API: the simulator publishes a fixed seed's
// events, two aggregators of one consumer group (one leaves halfway) apply them to Redis until the group's lag
// is 0, and the dashboard's API answers exactly what the offline computation makes of the simulator's own log;
// then headless Chromium finds the same numbers and the charts on the page.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { Tributary } from '@tributary/example-kit';
import { launchChromium, startStack, type HeadlessBrowser, type RunningStack } from '@tributary/example-kit/testing';
import { uniqueName, waitFor } from '@tributary/testkit';
import { startAggregator, type Aggregator } from '../src/aggregator.js';
import type { Aggregates } from '../src/events.js';
import { aggregate } from '../src/offline.js';
import { createServer } from '../src/server.js';
import { publish, simulate } from '../src/simulator.js';
import { AnalyticsStore } from '../src/store.js';

const EVENTS = 10_000;
const topic = uniqueName('telemetry');
const group = uniqueName('analytics');
const log = simulate({ seed: 2026, players: 100, events: EVENTS });

let stack: RunningStack;
let tributary: Tributary;
let store: AnalyticsStore;
let server: FastifyInstance;
let base: string;
let browser: HeadlessBrowser | undefined;
const aggregators: Aggregator[] = [];

beforeAll(async () => {
  stack = await startStack();
  tributary = new Tributary(stack.brokerUrl, stack.gatewayUrl);
  // The test run's single Redis, under a prefix of this run's own.
  store = AnalyticsStore.connect(`redis://127.0.0.1:${inject('redisPort')}`, `${uniqueName('analytics')}:`);
  server = createServer({ store, tributary, topic, group });
  base = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(aggregators.map((aggregator) => aggregator.stop()));
  await server?.close();
  store?.close();
  await stack?.close();
});

async function getJson(path: string): Promise<any> {
  const response = await fetch(`${base}${path}`);
  expect(response.status, path).toBe(200);
  return response.json();
}

describe('game analytics: simulator → Tributary → consumer group → Redis → dashboard', () => {
  it('computes live aggregates equal to the offline computation from the simulator’s log', { timeout: 180_000 }, async () => {
    await tributary.ensureTopic(topic, 4);
    await stack.gatewayKnows(topic);
    expect(await getJson('/api/group')).toEqual({ topic, group, lag: null, partitions: [] });

    for (const member of ['aggregator-1', 'aggregator-2']) {
      aggregators.push(startAggregator({ tributary, store, topic, group, member, batch: 200 }));
    }
    const publishRange = async (from: number, to: number) => {
      for (let i = from; i < to; i += 250) await publish(tributary, topic, log.slice(i, Math.min(i + 250, to)));
    };
    await publishRange(0, EVENTS / 2);
    // Once the first half is being counted, one aggregator leaves: its partitions move to the other, which
    // starts at their last commits (anything applied and not committed comes again, and counts once).
    await waitFor(async () => (await store.aggregates()).events > 0, { what: 'the first events counted', timeoutMs: 60_000 });
    await aggregators[0]!.stop();
    await publishRange(EVENTS / 2, EVENTS);
    // Someone writes a record that is not telemetry: skipped, and committed past.
    await tributary.write(topic, [{ key: 'p0001', value: { hello: 'world' }, id: 'not-an-event' }]);

    await waitFor(
      async () => {
        const { lag, partitions } = await getJson('/api/group');
        const written = partitions.reduce((sum: number, partition: { high_watermark: number }) => sum + partition.high_watermark, 0);
        return lag === 0 && partitions.length === 4 && written === EVENTS + 1;
      },
      { what: 'the group to consume every event (lag 0)', timeoutMs: 150_000, intervalMs: 200 },
    );
    expect(await Promise.race([aggregators[1]!.done.then(() => 'ended'), 'running'])).toBe('running');

    const expected = aggregate(log);
    const live: Aggregates = await getJson('/api/aggregates');
    expect(live).toEqual(expected);
    // The run is big enough for every aggregate to mean something.
    expect(live.events).toBe(EVENTS);
    expect(live.active_players).toBeGreaterThan(0);
    expect(live.sessions.completed).toBeGreaterThan(10);
    expect(live.funnel.at(-1)!.sessions).toBeGreaterThan(0);
    expect(live.events_per_minute.minutes.length).toBeGreaterThan(60);

    // A redelivery (a partition moving before its commit) changes nothing: the event ids were seen.
    expect(await store.apply(log.slice(0, 500))).toBe(0);
    expect(await store.aggregates()).toEqual(expected);
  });

  it('shows the aggregates and their charts on the dashboard, in headless Chromium', { timeout: 120_000 }, async () => {
    const expected = aggregate(log);
    browser = await launchChromium('analytics');
    const page: Page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });

    await page.goto(base);
    await page.getByRole('heading', { level: 1, name: 'Game analytics' }).waitFor();
    const format = (n: number) => n.toLocaleString('en-US');
    await page.getByTestId('stat-events').filter({ hasText: format(EVENTS) }).waitFor();
    expect(await page.getByTestId('stat-players').textContent()).toBe(format(expected.players));
    expect(await page.getByTestId('stat-active').textContent()).toBe(format(expected.active_players));
    expect(await page.getByTestId('stat-sessions').textContent()).toBe(format(expected.sessions.started));
    expect(await page.getByTestId('stat-completed').textContent()).toBe(`${format(expected.sessions.completed)} completed`);
    await page.getByTestId('group-status').filter({ hasText: 'caught up: lag 0' }).waitFor();
    expect(await page.getByTestId('group-name').textContent()).toBe(group);
    // The console's look, served from the example kit at /styles.css, and the dashboard's own rules after it.
    expect(await page.locator('.sidebar').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 26, 42)');
    expect(await page.locator('.logo').evaluate((el) => getComputedStyle(el).width)).toBe('22px');

    // Events per minute: a uPlot canvas over every minute of the run, a series per event type.
    const chart = page.getByTestId('epm-chart');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-points')).toBe(String(expected.events_per_minute.minutes.length));
    expect(await page.getByTestId('epm-legend').locator('span').count()).toBe(8);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(200);

    for (const { step, sessions } of expected.funnel) {
      expect(await page.getByTestId(`funnel-${step}`).textContent()).toBe(format(sessions));
    }
    const bars = page.getByTestId('lengths').locator('rect');
    expect(await bars.count()).toBe(expected.sessions.length_histogram.length);
    const counts = await bars.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-count'))));
    expect(counts).toEqual(expected.sessions.length_histogram.map((bucket) => bucket.count));
    // The tallest bar is drawn tallest.
    const heights = await bars.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
    expect(heights.indexOf(Math.max(...heights))).toBe(counts.indexOf(Math.max(...counts)));
    expect(await page.getByTestId('totals').locator('tbody tr[data-type="kill"] td.num').first().textContent()).toBe(format(expected.totals_by_type.kill));

    expect(pageErrors).toEqual([]);
    // ANALYTICS_SCREENSHOT=dashboard.png npx vitest run --project single examples/analytics saves a picture of it.
    const screenshot = process.env['ANALYTICS_SCREENSHOT'];
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${base}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found', message: 'no route GET /api/nothing-here' });
  });
});
