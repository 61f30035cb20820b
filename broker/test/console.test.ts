// The web console's routes (broker/src/console.ts) on their own: the pages from a build folder, the config
// the pages read, and the relay to the gateway (here a stand-in that records what reaches it). The pages
// themselves are driven in a real browser by console/test/console.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, createLogger, type Config } from '@tributary/core';
import { testConfig } from '@tributary/testkit';
import { consoleGatewayUrl, consoleRoutes } from '../src/console.js';

const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let fakeGateway: Server;
let gatewayUrl: string;

beforeAll(async () => {
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  fakeGateway = createServer((request, response) => {
    seen.push({ url: request.url!, headers: request.headers });
    const unauthenticated = request.url!.startsWith('/subscriptions/');
    response.writeHead(unauthenticated ? 401 : 200, { 'content-type': 'application/json', ...(unauthenticated ? { 'www-authenticate': 'Bearer' } : {}) });
    response.end(JSON.stringify(unauthenticated ? { code: 'UNAUTHENTICATED' } : { groups: [] }));
  });
  await new Promise<void>((resolve) => fakeGateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(fakeGateway.address() as { port: number }).port}`;
});
afterAll(() => {
  fakeGateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function appWith(config: Config, pages = dir): Promise<FastifyInstance> {
  const app = createHttpServer({ config, logger: createLogger(config, 'console-test') });
  await app.register(consoleRoutes, { config, dir: pages });
  await app.ready();
  return app;
}

describe('the console pages', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith(testConfig({ gatewayUrl: 'http://127.0.0.1:1' }));
  });
  afterAll(() => app.close());

  it('answers index.html at /ui and at any page path, never cached, with a strict content security policy', async () => {
    for (const url of ['/ui', '/ui/', '/ui/topics/orders', '/ui/consumers/groups/billing']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<title>console</title>');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('serves the hashed assets for good and a missing file as a 404 error body', async () => {
    const script = await app.inject({ url: '/ui/assets/index-abc123.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/ui/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
    for (const url of ['/ui/assets/gone.js', '/ui/nope.css', '/ui/..%2Fpackage.json']) {
      const missing = await app.inject({ url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    }
  });

  it('tells the pages whether auth is on and where the gateway is', async () => {
    expect((await app.inject({ url: '/ui/config.json' })).json()).toEqual({ auth: false, gateway: 'http://127.0.0.1:1' });
  });

  it('answers 502 GATEWAY_UNAVAILABLE, retriable, when the gateway does not answer', async () => {
    const response = await app.inject({ url: '/ui/gateway/groups' });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ code: 'GATEWAY_UNAVAILABLE', retriable: true });
    expect(response.json().message).toContain('http://127.0.0.1:1');
  });
});

describe('the relay to the gateway', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith(testConfig({ gatewayUrl: `${gatewayUrl}/` }));
  });
  afterAll(() => app.close());

  it("passes the caller's key on and the gateway's answer back, status and all", async () => {
    const groups = await app.inject({ url: '/ui/gateway/groups', headers: { authorization: 'Bearer k1' } });
    expect(groups.statusCode).toBe(200);
    expect(groups.json()).toEqual({ groups: [] });
    expect(seen.at(-1)).toMatchObject({ url: '/groups', headers: { authorization: 'Bearer k1' } });

    const refused = await app.inject({ url: '/ui/gateway/subscriptions/ann%40example.com' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(seen.at(-1)!.url).toBe('/subscriptions/ann%40example.com');
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();

    await app.inject({ url: '/ui/gateway/topics/orders/consumers' });
    await app.inject({ url: '/ui/gateway/groups/billing' });
    expect(seen.slice(-2).map((request) => request.url)).toEqual(['/topics/orders/consumers', '/groups/billing']);
  });

  it('relays nothing but those describe routes: a read (which moves offsets) is a 404 here', async () => {
    const before = seen.length;
    const elsewhere = ['/ui/gateway/read/ann%40example.com/orders/k', '/ui/gateway/groups/billing/members', '/ui/gateway/groups/..', '/ui/gateway/topics/%2E%2e/consumers'];
    for (const url of elsewhere) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
    }
    expect((await app.inject({ method: 'POST', url: '/ui/gateway/groups' })).statusCode).toBe(405);
    expect(seen.length).toBe(before);
  });
});

describe('without a build or a gateway', () => {
  it('serves no /ui at all when the pages are not built', async () => {
    const app = await appWith(testConfig(), join(dir, 'not-built'));
    expect((await app.inject({ url: '/ui' })).json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    await app.close();
  });

  it('has no relay when no gateway is known (GATEWAY_URL unset, GATEWAY_PORT 0)', async () => {
    const app = await appWith(testConfig());
    expect((await app.inject({ url: '/ui/config.json' })).json()).toEqual({ auth: false, gateway: null });
    const relay = await app.inject({ url: '/ui/gateway/groups' });
    expect(relay.statusCode).toBe(404);
    expect(relay.json().message).toContain('GATEWAY_URL');
    await app.close();
  });

  it('defaults to the gateway on this machine', () => {
    const base = testConfig();
    expect(consoleGatewayUrl({ ...base, gatewayPort: 5000, listenHost: '0.0.0.0' })).toBe('http://127.0.0.1:5000');
    expect(consoleGatewayUrl({ ...base, gatewayPort: 5000, listenHost: '10.1.2.3', tlsCertFile: 'c.pem' })).toBe('https://10.1.2.3:5000');
    expect(consoleGatewayUrl({ ...base, gatewayUrl: 'https://gateway.internal:8443/' })).toBe('https://gateway.internal:8443');
  });
});
