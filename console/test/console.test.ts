// The web console end to end: a real broker and gateway on free ports, the built pages at /ui, and Debian's
// Chromium clicking through them as a person would. Every wait is for something on the page (Playwright's
// waiting on locators), never a fixed time.
//
// CONSOLE_SCREENSHOTS=docs/console npx vitest run --project single console also saves the pictures the
// README shows.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import { launchChromium, testConfig, uniqueEmail, uniqueName, type HeadlessBrowser } from '@tributary/testkit';

const built = fileURLToPath(new URL('../dist/index.html', import.meta.url));
const screenshots = process.env['CONSOLE_SCREENSHOTS'];

let broker: Broker;
let gateway: Gateway;
let browser: HeadlessBrowser;
let base: string;
let gatewayBase: string;
/** Errors the pages threw or logged: none is expected. */
const pageErrors: string[] = [];

beforeAll(async () => {
  expect(existsSync(built), 'the console is not built: npm run build -w @tributary/console').toBe(true);
  const zookeeperRoot = testConfig().zookeeperRoot;
  gateway = await createGateway(testConfig({ zookeeperRoot }));
  gatewayBase = `http://127.0.0.1:${(await gateway.listen()).port}`;
  broker = await createBroker(testConfig({ zookeeperRoot, gatewayUrl: gatewayBase }));
  base = `http://127.0.0.1:${(await broker.listen()).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([broker?.close(), gateway?.close()]);
});

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    // A failed fetch the page answers itself (a 404 it shows) is logged by the browser as a resource error.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  return page;
}

async function call(url: string, method = 'GET', body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const answer = await response.json();
  expect(response.ok, `${method} ${url}: ${JSON.stringify(answer)}`).toBe(true);
  return answer;
}

describe('the web console at /ui', () => {
  const topic = uniqueName('console');

  it('creates a topic, produces, finds the record in the browser and the live tail, and shows a consumer catching up', { timeout: 120_000 }, async () => {
    const page = await newPage();
    await page.goto(`${base}/ui`);
    await page.getByTestId('health').filter({ hasText: 'all systems ready' }).waitFor();
    await page.getByTestId('brokers').locator('tbody tr', { hasText: 'alive' }).first().waitFor();
    await page.getByTestId('stat-redis').getByText('ready').waitFor();

    // Create a topic of two partitions with a config.
    await page.getByRole('link', { name: 'Topics' }).click();
    await page.getByRole('button', { name: 'Create topic' }).click();
    const create = page.getByRole('dialog', { name: 'Create topic' });
    await create.locator('input[name=name]').fill(topic);
    await create.locator('input[name=partitions]').fill('2');
    await create.locator('input[name=retention]').fill('3');
    if (screenshots) await screenshot(page, 'create-topic');
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(`**/ui/topics/${topic}`);
    await page.getByRole('heading', { level: 1, name: topic }).waitFor();
    expect(await call(`${base}/topics/${topic}`)).toMatchObject({ partition_count: 2, config: { retention_ms: 3 * 86_400_000 } });

    // Change its config and grow it to three partitions: the dialog warns that keys move.
    await page.getByTestId('topic-config').getByText('259200000').waitFor();
    await page.getByRole('button', { name: 'Change', exact: true }).click();
    const alter = page.getByRole('dialog', { name: `Change ${topic}` });
    await alter.locator('input[name=retention]').fill('5');
    await alter.locator('input[name=partitions]').fill('3');
    await alter.getByText('More partitions move keys').waitFor();
    if (screenshots) await screenshot(page, 'change-topic');
    await alter.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('topic-config').getByText('432000000').waitFor();
    await page.getByTestId('partitions').locator('tr[data-partition="2"]').waitFor();
    if (screenshots) await screenshot(page, 'topic-partitions');
    expect(await call(`${base}/topics/${topic}`)).toMatchObject({ partition_count: 3, config: { retention_ms: 5 * 86_400_000 } });

    // Produce a record with a key and a header.
    await page.getByRole('tab', { name: 'Produce' }).click();
    const form = page.getByTestId('produce-form');
    await form.locator('input[name=key]').fill('user-1');
    await form.locator('textarea[name=value]').fill('{"order": 17, "item": "kayak"}');
    await form.locator('textarea[name=headers]').fill('trace: t-1');
    await form.getByRole('button', { name: `Send to ${topic}` }).click();
    await form.getByTestId('written-offset').filter({ hasText: /^0$/ }).waitFor();
    await page.getByTestId('topic-records').getByText('1', { exact: true }).waitFor();

    // The message browser finds it, pretty-printed with its headers.
    await page.getByRole('tab', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'Show messages' }).click();
    await page.getByTestId('messages').locator('tbody tr', { hasText: 'kayak' }).click();
    const detail = page.getByTestId('message-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('"item": "kayak"');
    expect(await detail.textContent()).toContain('"trace": "t-1"');
    if (screenshots) await screenshot(page, 'topic-messages');

    // The live tail starts at the end and shows what arrives after.
    await page.getByRole('tab', { name: 'Live tail' }).click();
    await page.getByText('Waiting for new records').waitFor();
    await call(`${base}/write/${topic}`, 'POST', { key: 'user-1', value: { order: 18, item: 'paddle' } });
    await page.getByTestId('tail').locator('tbody tr', { hasText: 'paddle' }).waitFor();
    expect(await page.getByTestId('tail').locator('tbody tr').count()).toBe(1);

    // A consumer subscribed from the earliest record lags by both; after it reads, by none.
    const email = uniqueEmail();
    await call(`${gatewayBase}/subscribe/${email}/${topic}`, 'POST');
    await page.getByRole('link', { name: 'Consumers' }).click();
    await page.locator('input[name=email]').fill(email);
    await page.getByRole('button', { name: 'Show positions' }).click();
    const lag = page.locator(`.subscription[data-topic="${topic}"] [data-testid=subscription-lag]`);
    await lag.filter({ hasText: /^2$/ }).waitFor();
    const read = await call(`${gatewayBase}/read/${email}/${topic}/user-1`);
    expect(read.messages.map((message: { value: { item: string } }) => message.value.item)).toEqual(['kayak', 'paddle']);
    await lag.filter({ hasText: /^0$/ }).waitFor();

    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows a consumer group's lag on its page and on its topic's consumers, falling to 0 once a member fetches and commits", { timeout: 90_000 }, async () => {
    const groupTopic = uniqueName('group-lag');
    const group = uniqueName('billing');
    await call(`${base}/create_topic/${groupTopic}/2`, 'POST', {});
    const joined = await call(`${gatewayBase}/groups/${group}/members`, 'POST', { topics: [groupTopic], member: 'worker', from: 'earliest', session_timeout_ms: 60_000 });
    // Keys spread over both partitions; which ones gets which does not matter, only the total of 3.
    await call(`${base}/write/${groupTopic}`, 'POST', { records: ['a', 'b', 'c'].map((key) => ({ key, value: key })) });

    const page = await newPage();
    await page.goto(`${base}/ui/consumers`);
    await page.getByTestId('groups').locator(`tr[data-group="${group}"]`).getByRole('link', { name: group }).click();
    await page.waitForURL(`**/ui/consumers/groups/${group}`);
    const lag = page.getByTestId('group-lag').locator('.stat-value');
    await lag.filter({ hasText: /^3$/ }).waitFor();
    const partitionLag = (partition: number) =>
      page.locator(`[data-testid=group-partitions] tr[data-topic="${groupTopic}"][data-partition="${partition}"] [data-testid=partition-lag]`);
    const shown = await Promise.all([0, 1].map(async (partition) => Number(await partitionLag(partition).textContent())));
    expect(shown[0]! + shown[1]!).toBe(3);
    // The topic's Consumers tab lists the group, as a group, with the same lag.
    const topicPage = await newPage();
    await topicPage.goto(`${base}/ui/topics/${groupTopic}`);
    await topicPage.getByRole('tab', { name: 'Consumers' }).click();
    const row = topicPage.getByTestId('topic-consumers').locator(`tr[data-consumer="${group}"]`);
    await row.getByText('group', { exact: true }).waitFor();
    await row.getByTestId('lag').filter({ hasText: /^3$/ }).waitFor();

    // The member fetches all three without committing (the default): still lag 3; then commits them: 0.
    const member = `${gatewayBase}/groups/${group}/members/${joined.member_id}`;
    const fetched = await call(`${member}/records?max=10`);
    expect(fetched.messages.map((message: { key: string }) => message.key).sort()).toEqual(['a', 'b', 'c']);
    const next = new Map<number, number>();
    for (const message of fetched.messages as Array<{ partition: number; offset: number }>) {
      next.set(message.partition, Math.max(next.get(message.partition) ?? 0, message.offset + 1));
    }
    expect((await call(`${gatewayBase}/groups/${group}`)).lag).toBe(3);
    await call(`${member}/commit`, 'POST', { offsets: [...next].map(([partition, offset]) => ({ topic: groupTopic, partition, offset })) });
    await lag.filter({ hasText: /^0$/ }).waitFor();
    for (const partition of [0, 1]) await partitionLag(partition).filter({ hasText: /^0$/ }).waitFor();
    await row.getByTestId('lag').filter({ hasText: /^0$/ }).waitFor();

    await call(member, 'DELETE');
    expect(pageErrors).toEqual([]);
    await Promise.all([page.close(), topicPage.close()]);
  });

  it('deletes a topic only after its name is typed', { timeout: 60_000 }, async () => {
    const page = await newPage();
    await page.goto(`${base}/ui/topics`);
    const row = page.locator(`tr[data-topic="${topic}"]`);
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${topic}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete topic' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.locator('input[name=confirm]').fill(topic);
    await confirm.click();
    await row.waitFor({ state: 'detached' });
    expect((await fetch(`${base}/topics/${topic}`)).status).toBe(404);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('serves the pages for a deep link and a 404 error body for a file that does not exist', async () => {
    const deep = await fetch(`${base}/ui/topics/anything`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toMatch(/^text\/html/);
    const missing = await fetch(`${base}/ui/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});

describe('the web console with AUTH=on', () => {
  const adminKey = `console-admin-${uniqueName('k')}`;
  let secured: Broker;
  let securedBase: string;

  beforeAll(async () => {
    secured = await createBroker(testConfig({ auth: true, adminKey, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 }));
    securedBase = `http://127.0.0.1:${(await secured.listen()).port}`;
  });
  afterAll(async () => {
    await secured?.close();
  });

  it('asks for an API key and sends it as a bearer token', { timeout: 60_000 }, async () => {
    const topic = uniqueName('secured');
    const created = await fetch(`${securedBase}/create_topic/${topic}/1`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
    expect(created.status).toBe(201);
    expect((await fetch(`${securedBase}/topics`)).status).toBe(401);

    const page = await newPage();
    await page.goto(`${securedBase}/ui/topics`);
    const dialog = page.getByRole('dialog', { name: 'API key' });
    await dialog.locator('input[name=api-key]').fill(adminKey);
    await dialog.getByRole('button', { name: 'Use this key' }).click();
    await page.locator(`tr[data-topic="${topic}"]`).waitFor();
    await page.getByRole('button', { name: 'Change API key' }).waitFor();
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

// With CONSOLE_SCREENSHOTS set, this also takes the README's pictures, after a minute of traffic so the chart
// has something to draw, and with plain names that read better in a picture (topics live under the run's own
// ZooKeeper root and are stored by id; screenshots are taken in a run of this file alone).
describe('the overview under traffic', () => {
  it('draws the records in and out per second, and shows the topics, a group, the tail and a consumer', { timeout: 300_000 }, async () => {
    if (screenshots) mkdirSync(screenshots, { recursive: true });
    const topics = screenshots ? ['orders', 'payments', 'clicks'] : [uniqueName('orders'), uniqueName('payments'), uniqueName('clicks')];
    for (const [i, name] of topics.entries()) await call(`${base}/create_topic/${name}/${[6, 3, 12][i]}`, 'POST', {});
    const email = screenshots ? 'analytics@example.com' : uniqueEmail();
    await call(`${gatewayBase}/subscribe/${email}/${topics[0]}`, 'POST');
    const group = screenshots ? 'billing' : uniqueName('billing');
    const member = await fetch(`${gatewayBase}/groups/${group}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topics: [topics[1]], member: 'billing-worker-1', session_timeout_ms: 60_000 }),
    });
    const memberId = member.ok ? ((await member.json()) as { member_id: string }).member_id : undefined;

    // Traffic with a changing rate, a consumer that keeps up and a group that falls behind, until the chart
    // has a minute of points.
    let running = true;
    const traffic = (async () => {
      for (let round = 0; running; round++) {
        const size = 20 + Math.round(15 * Math.sin(round / 12)) + (round % 7);
        for (const [t, name] of topics.entries()) {
          await call(`${base}/write/${name}`, 'POST', {
            records: Array.from({ length: Math.round(size * [1, 0.5, 2][t]!) }, (_, i) => ({
              key: `customer-${(round * 7 + i) % 23}`,
              value: { id: round * 100 + i, amount: Math.round((i * 1370) % 25_000) / 100, currency: 'EUR', items: [{ sku: `SKU-${i % 9}`, quantity: 1 + (i % 3) }] },
              headers: { source: 'checkout', trace: `t-${round}-${i}` },
            })),
          });
        }
        await call(`${gatewayBase}/read/${email}/${topics[0]}?max=60`);
        if (memberId && round % 3 === 0) await fetch(`${gatewayBase}/groups/${group}/members/${memberId}/records?max=10&commit=auto`);
        // Pacing the traffic to a few rounds a second (nothing waits on this): the chart shows rates, not a flood.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    const page = await newPage();
    await page.goto(`${base}/ui`);
    const points = screenshots ? 30 : 4;
    await page.waitForFunction((least) => Number(document.querySelector('[data-testid=rate-chart]')?.getAttribute('data-points')) >= least, points, { timeout: 120_000 });
    expect(Number(await page.getByTestId('rate-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(points);
    if (screenshots) await screenshot(page, 'overview');
    await page.getByRole('link', { name: 'Topics' }).click();
    await page.getByTestId('topics').waitFor();
    if (screenshots) await screenshot(page, 'topics');
    await page.getByRole('link', { name: topics[0] }).click();
    await page.getByRole('tab', { name: 'Live tail' }).click();
    await page.getByTestId('tail').locator('tbody tr').nth(12).waitFor();
    if (screenshots) await screenshot(page, 'live-tail');
    running = false;
    await traffic;
    if (memberId) {
      await page.goto(`${base}/ui/consumers/groups/${group}`);
      await page.getByTestId('group-partitions').waitFor();
      if (screenshots) await screenshot(page, 'consumer-group');
    }
    await page.goto(`${base}/ui/consumers?email=${encodeURIComponent(email)}`);
    await page.getByTestId('subscription-lag').first().waitFor();
    if (screenshots) await screenshot(page, 'consumers');
    await page.close();
  });
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: false });
}
