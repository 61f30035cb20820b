// The published contract: /openapi.json and /docs on both services, and every declared route in the document
// with a summary, a success and its error answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import { declaredRoutes } from '@tributary/core';
import { testConfig } from '@tributary/testkit';

let broker: Broker;
let gateway: Gateway;

beforeAll(async () => {
  const config = testConfig({ auth: true, adminKey: 'openapi-admin-key-0123456789' });
  [broker, gateway] = await Promise.all([createBroker(config), createGateway(testConfig({ zookeeperRoot: config.zookeeperRoot, auth: true, adminKey: config.adminKey }))]);
});
afterAll(async () => {
  await Promise.all([broker, gateway].map((service) => service?.close()));
});

/** `/a/:b/*` as OpenAPI writes it: `/a/{b}/{*}`. */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*/g, '{*}');

describe.each([
  ['broker', () => broker],
  ['gateway', () => gateway],
] as const)('the %s', (_name, service) => {
  it('publishes OpenAPI 3 at /openapi.json and Swagger UI at /docs, without a key even with AUTH=on', async () => {
    const document = await service().app.inject({ method: 'GET', url: '/openapi.json' });
    expect(document.statusCode, document.body).toBe(200);
    expect(document.json().openapi).toMatch(/^3\./);
    const ui = await service().app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it('documents every declared route with a summary, a success answer, an example where there is one, and its error answers', async () => {
    const { paths } = (await service().app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const routes = declaredRoutes(service().app).filter(({ method, url }) => method !== 'HEAD' && url !== '/docs' && !url.startsWith('/docs/'));
    expect(routes.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const { method, url } of routes) {
      const operation = paths[openApiPath(url)]?.[method.toLowerCase()];
      if (!operation) {
        missing.push(`${method} ${url}: not in the document`);
        continue;
      }
      if (!operation.summary) missing.push(`${method} ${url}: no summary`);
      const statuses = Object.keys(operation.responses ?? {});
      if (!statuses.some((status) => /^2\d\d$/.test(status))) missing.push(`${method} ${url}: no success response`);
      if (!statuses.includes('4XX') || !statuses.includes('5XX')) missing.push(`${method} ${url}: error responses ${statuses.join(',')}`);
    }
    expect(missing).toEqual([]);
  });
});

it('describes the error body with every code', async () => {
  const { paths } = (await broker.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const error = paths['/topics/{topic}'].get.responses['4XX'].content['application/json'].schema;
  expect(error.required).toEqual(['statusCode', 'code', 'error', 'message', 'retriable']);
  expect(error.properties.code.enum).toContain('TOPIC_NOT_FOUND');
  const ok = paths['/topics/{topic}'].get.responses['200'].content['application/json'].schema;
  expect(ok.example.name).toBe('orders');
  expect(paths['/topics/{topic}'].get.security).toEqual([{ apiKey: [] }]);
  expect(paths['/healthz'].get.security).toBeUndefined();
});
