// REQUEST_TIMEOUT_MS bounds how long a client may take to *send* a request. A long poll, whose request
// arrived at once and whose answer waits, must outlive it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';

const timeouts = { headersTimeoutMs: 200, requestTimeoutMs: 300 };
let broker: Broker;
let gateway: Gateway;
let gatewayUrl: string;

beforeAll(async () => {
  const config = testConfig(timeouts);
  broker = await createBroker(config);
  gateway = await createGateway(testConfig({ ...timeouts, zookeeperRoot: config.zookeeperRoot }));
  const { host, port } = await gateway.listen();
  gatewayUrl = `http://${host}:${port}`;
});
afterAll(async () => {
  await Promise.all([gateway?.close(), broker?.close()]);
});

it('answers a long poll that waits longer than the request timeout, over a real socket', async () => {
  const topic = uniqueName('slow');
  expect((await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` })).statusCode).toBe(201);
  await waitFor(() => gateway.topics.get(topic), { what: 'the gateway to see the topic' });
  const email = uniqueEmail();
  expect((await fetch(`${gatewayUrl}/subscribe/${email}/${topic}`, { method: 'POST' })).status).toBe(201);

  const waitMs = timeouts.requestTimeoutMs * 4;
  const started = Date.now();
  const response = await fetch(`${gatewayUrl}/read/${email}/${topic}/k?wait_ms=${waitMs}`);
  expect(response.status).toBe(200);
  expect((await response.json()).messages).toEqual([]);
  // It did wait (so the request timeout had passed while it waited), and was not cut off by it.
  expect(Date.now() - started).toBeGreaterThanOrEqual(waitMs - 50);
});
