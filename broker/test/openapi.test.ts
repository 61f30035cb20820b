// The published contract: /openapi.json and /docs on both services, and every declared route in the document
// with a summary, a success and its error answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import { declaredRoutes, errorCodesOf, errorTable, routeErrors } from '@tributary/core';
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

  it('lists the error codes of every declared route, each in the error table, and shows them per route with an example', async () => {
    const { paths } = (await service().app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const routes = declaredRoutes(service().app).filter(({ method, url }) => method !== 'HEAD' && url !== '/docs' && !url.startsWith('/docs/'));
    const problems: string[] = [];
    for (const route of routes) {
      const where = `${route.method} ${route.url}`;
      const codes = errorCodesOf(route);
      if (codes === undefined) {
        problems.push(`${where}: no error codes listed (core/src/protocol/route-errors.ts)`);
        continue;
      }
      const unknown = codes.filter((code) => !(code in errorTable));
      if (unknown.length > 0) problems.push(`${where}: codes not in the error table: ${unknown.join(', ')}`);
      const responses = paths[openApiPath(route.url)][route.method.toLowerCase()].responses;
      const shown = (status: string) => {
        const body = responses[status].content['application/json'].schema;
        if (!body.example || !body.properties.code.enum.includes(body.example.code)) problems.push(`${where}: ${status} without an example of one of its codes`);
        return body.properties.code.enum as string[];
      };
      const documented = [...shown('4XX'), ...shown('5XX')];
      if (documented.join() !== codes.join()) problems.push(`${where}: the document shows ${documented.join(', ')}; the route lists ${codes.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });
});

it('lists only codes of the error table for any route, and adds the gates’ codes by what a route is', () => {
  for (const [route, codes] of Object.entries(routeErrors)) expect(codes.filter((code) => !(code in errorTable)), route).toEqual([]);
  // Public, without a body: the router's and a bug's codes, and its own.
  expect(errorCodesOf({ method: 'GET', url: '/readyz', access: 'public' })).toEqual(['INVALID_REQUEST', 'INTERNAL_ERROR', 'NOT_READY']);
  // With a key and a body: authentication, quotas and the body's limits too.
  const write = errorCodesOf({ method: 'POST', url: '/write/:topic', access: { operation: 'produce', resource: () => 'topic:t' } })!;
  expect(write).toEqual(expect.arrayContaining(['UNAUTHENTICATED', 'FORBIDDEN', 'QUOTA_EXCEEDED', 'BODY_TOO_LARGE', 'INVALID_JSON', 'RECORD_TOO_LARGE', 'PARTIAL_WRITE']));
  expect(write).not.toContain('GROUP_NOT_FOUND');
  expect(errorCodesOf({ method: 'GET', url: '/no/such/route', access: 'public' })).toBeUndefined();
});

it('describes the error body with the route’s codes', async () => {
  const { paths } = (await broker.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const error = paths['/topics/{topic}'].get.responses['4XX'].content['application/json'].schema;
  expect(error.required).toEqual(['statusCode', 'code', 'error', 'message', 'retriable']);
  expect(error.properties.code.enum).toContain('TOPIC_NOT_FOUND');
  const ok = paths['/topics/{topic}'].get.responses['200'].content['application/json'].schema;
  expect(ok.example.name).toBe('orders');
  expect(paths['/topics/{topic}'].get.security).toEqual([{ apiKey: [] }]);
  expect(paths['/healthz'].get.security).toBeUndefined();
});
