// Quotas per principal, held in Redis so that they hold across every broker and gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { quotaKeys, type Config, type RedisClient } from '@tributary/core';
import { inspectRedis, testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';

const ADMIN_KEY = `admin-secret-${uniqueName('k')}`;
const REQUESTS_PER_SEC = 5;
const PRODUCE_BYTES_PER_SEC = 10_000;
let config: Config;
let brokerA: Broker;
let brokerB: Broker;
let gateway: Gateway;
let redis: RedisClient;
let topic: string;

beforeAll(async () => {
  const quotas = { auth: true, adminKey: ADMIN_KEY, quotaRequestsPerSec: REQUESTS_PER_SEC, quotaProduceBytesPerSec: PRODUCE_BYTES_PER_SEC };
  config = testConfig(quotas);
  const same = { ...quotas, zookeeperRoot: config.zookeeperRoot };
  [brokerA, brokerB, gateway] = await Promise.all([createBroker(config), createBroker(testConfig(same)), createGateway(testConfig(same))]);
  redis = await inspectRedis();
  topic = uniqueName('q');
  expect((await inject(brokerA, ADMIN_KEY, 'POST', `/create_topic/${topic}/1`)).statusCode).toBe(201);
  await waitFor(() => brokerB.topics.get(topic) && gateway.topics.get(topic), { what: 'every instance to see the topic' });
});
afterAll(async () => {
  await Promise.all([brokerA, brokerB, gateway].map((service) => service?.close()));
  redis?.disconnect();
});

function inject(service: Broker | Gateway, key: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object | string) {
  return service.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) },
    ...(payload === undefined ? {} : { payload }),
  });
}

/** A principal with a key, allowed to produce to and consume the topic; known to every instance. */
async function principalWithKey(): Promise<{ principal: string; key: string }> {
  const principal = uniqueName('p');
  const { key } = (await inject(brokerA, ADMIN_KEY, 'POST', '/keys', { principal })).json();
  for (const operation of ['produce', 'consume', 'describe']) {
    await inject(brokerA, ADMIN_KEY, 'PUT', `/acls/${principal}/${operation}/topic:${topic}`);
  }
  await inject(brokerA, ADMIN_KEY, 'PUT', `/acls/${principal}/describe/cluster`);
  for (const service of [brokerA, brokerB]) {
    await waitFor(async () => (await service.app.inject({ url: `/topics/${topic}`, headers: { authorization: `Bearer ${key}` } })).statusCode !== 401, {
      what: 'the key to be known',
    });
  }
  return { principal, key };
}

const documented429 = (response: { statusCode: number; headers: Record<string, unknown>; json(): any }) => {
  expect(response.statusCode).toBe(429);
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(response.json()).toEqual({
    statusCode: 429,
    code: 'QUOTA_EXCEEDED',
    error: 'Too Many Requests',
    message: expect.stringContaining('is over its quota'),
    retriable: true,
  });
};

describe('request-rate quota', () => {
  it('is one count across instances: a principal over its quota on broker A is refused by broker B and the gateway', async () => {
    const { principal, key } = await principalWithKey();
    // A 1 s window may end between the two halves: try again in the next one until both fall in one window.
    const refused = await waitFor(
      async () => {
        let last;
        for (let i = 0; i <= REQUESTS_PER_SEC; i++) last = await inject(brokerA, key, 'GET', `/topics/${topic}`);
        if (last!.statusCode !== 429) return false;
        const [b, g] = await Promise.all([inject(brokerB, key, 'GET', `/topics/${topic}`), inject(gateway, key, 'GET', `/subscriptions/${uniqueEmail()}`)]);
        return b.statusCode === 429 && g.statusCode === 429 ? [last!, b, g] : false;
      },
      { what: 'broker B and the gateway to refuse what broker A counted' },
    );
    for (const response of refused) documented429(response);
    expect(refused[0]!.json().message).toBe(`principal ${principal} is over its quota of ${REQUESTS_PER_SEC} requests per second`);
    expect(await redis.exists(quotaKeys(principal).requests)).toBe(1);
  });

  it('lets requests through again once the window has passed', async () => {
    const { key } = await principalWithKey();
    await waitFor(async () => (await inject(brokerA, key, 'GET', `/topics/${topic}`)).statusCode === 429, { what: 'the quota to run out' });
    await waitFor(async () => (await inject(brokerB, key, 'GET', `/topics/${topic}`)).statusCode === 200, { what: 'the next window' });
  });

  it('does not count the built-in admin, nor the health checks', async () => {
    for (let i = 0; i < REQUESTS_PER_SEC * 3; i++) expect((await inject(brokerA, ADMIN_KEY, 'GET', '/topics')).statusCode).toBe(200);
    const { key } = await principalWithKey();
    await waitFor(async () => (await inject(brokerA, key, 'GET', `/topics/${topic}`)).statusCode === 429, { what: 'the quota to run out' });
    expect((await brokerA.app.inject({ url: '/healthz', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
  });
});

describe('produced-bytes quota', () => {
  it('charges /write bodies to the principal across brokers: after a body of ten seconds’ worth, the next write waits', async () => {
    const { principal, key } = await principalWithKey();
    const big = JSON.stringify({ key: 'k', value: 'x'.repeat(PRODUCE_BYTES_PER_SEC * 10) });
    const first = await inject(brokerA, key, 'POST', `/write/${topic}`, big);
    expect(first.statusCode, first.body).toBe(200);
    const second = await inject(brokerB, key, 'POST', `/write/${topic}`, { key: 'k', value: 'small' });
    documented429(second);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(1);
    expect(second.json().message).toBe(`principal ${principal} is over its quota of ${PRODUCE_BYTES_PER_SEC} produced bytes per second`);
    expect(await redis.exists(quotaKeys(principal).produceBytes)).toBe(1);
  });

  it('does not charge reads', async () => {
    const { key } = await principalWithKey();
    const big = JSON.stringify({ key: 'k', value: 'x'.repeat(PRODUCE_BYTES_PER_SEC * 10) });
    expect((await inject(brokerA, key, 'POST', `/write/${topic}`, big)).statusCode).toBe(200);
    expect((await inject(brokerA, key, 'GET', `/topics/${topic}`)).statusCode).toBe(200);
    expect((await inject(gateway, key, 'POST', `/subscribe/${uniqueEmail()}/${topic}`)).statusCode).toBe(201);
  });
});

describe('a principal’s own quotas', () => {
  it('apply on every instance instead of the defaults, and are listed and removed through the broker', async () => {
    const slow = await principalWithKey();
    const free = await principalWithKey();
    const set = await inject(brokerA, ADMIN_KEY, 'PUT', `/quotas/${slow.principal}`, { requests_per_sec: 2 });
    expect(set.json()).toEqual({ principal: slow.principal, requests_per_sec: 2 });
    expect((await inject(brokerA, ADMIN_KEY, 'PUT', `/quotas/${free.principal}`, { produce_bytes_per_sec: 0 })).statusCode).toBe(200);

    // Three requests are within the default of five, over the principal's own two: broker B and the
    // gateway learn of it from their watches.
    for (const service of [brokerB, gateway]) {
      const url = service === gateway ? `/subscriptions/${uniqueEmail()}` : `/topics/${topic}`;
      await waitFor(
        async () => {
          const answers = [];
          for (let i = 0; i < 3; i++) answers.push(await inject(service, slow.key, 'GET', url));
          return answers.some((answer) => answer.statusCode === 429 && answer.json().message.endsWith('quota of 2 requests per second'));
        },
        { what: 'the principal’s own quota to apply' },
      );
    }

    // No byte limit of its own: ten seconds' worth of the default, twice, on two brokers.
    const big = JSON.stringify({ key: 'k', value: 'x'.repeat(PRODUCE_BYTES_PER_SEC * 10) });
    await waitFor(async () => (await inject(brokerB, free.key, 'POST', `/write/${topic}`, big)).statusCode === 200 && (await inject(brokerA, free.key, 'POST', `/write/${topic}`, big)).statusCode === 200, {
      what: 'the principal’s unlimited byte quota to apply',
    });

    const listed = (await inject(brokerB, ADMIN_KEY, 'GET', '/quotas')).json();
    expect(listed.defaults).toEqual({ requests_per_sec: REQUESTS_PER_SEC, produce_bytes_per_sec: PRODUCE_BYTES_PER_SEC });
    expect(listed.principals).toEqual(
      expect.arrayContaining([
        { principal: slow.principal, requests_per_sec: 2 },
        { principal: free.principal, produce_bytes_per_sec: 0 },
      ]),
    );
    expect((await inject(brokerB, ADMIN_KEY, 'DELETE', `/quotas/${slow.principal}`)).json()).toEqual({ principal: slow.principal, removed: true });
    expect((await inject(brokerB, ADMIN_KEY, 'DELETE', `/quotas/${slow.principal}`)).json()).toEqual({ principal: slow.principal, removed: false });
  });

  it('refuses a quota without a value, a negative one, or for an invalid principal', async () => {
    for (const [url, body] of [
      ['/quotas/p', {}],
      ['/quotas/p', { requests_per_sec: -1 }],
      ['/quotas/p', { requests_per_sec: 1.5 }],
      ['/quotas/p', { other: 1 }],
      ['/quotas/a*b', { requests_per_sec: 1 }],
    ] as const) {
      const response = await inject(brokerA, ADMIN_KEY, 'PUT', url, body);
      expect(response.statusCode, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(response.json().code).toBe('INVALID_REQUEST');
    }
  });
});
