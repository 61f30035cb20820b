// Regression tests for what fuzzing found (issue 11): each input once got a 500, stalled the broker, or was
// silently changed. Every answer here must be the documented error body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { partitionKeys, type RedisClient } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName } from '@tributary/testkit';
import { rawExchange } from './raw-http.js';

// Short request timeouts, so the slow-client cases end quickly.
const config = testConfig({ headersTimeoutMs: 400, requestTimeoutMs: 800 });
let broker: Broker;
let port: number;
let redis: RedisClient;
let topic: { name: string; id: string };

beforeAll(async () => {
  broker = await createBroker(config);
  ({ port } = await broker.listen());
  redis = await inspectRedis();
  const name = uniqueName('hostile');
  const created = await broker.app.inject({ method: 'POST', url: `/create_topic/${name}/1` });
  expect(created.statusCode).toBe(201);
  topic = { name, id: created.json().id };
});
afterAll(async () => {
  await broker?.close();
  redis?.disconnect();
});

const documented = (body: unknown, statusCode: number, code: string) =>
  expect(body).toEqual({ statusCode, code, error: expect.any(String), message: expect.any(String), retriable: expect.any(Boolean) });

const writeRaw = (payload: string | Buffer, contentType = 'application/json') =>
  broker.app.inject({ method: 'POST', url: `/write/${topic.name}`, headers: { 'content-type': contentType }, payload });

const storedRecords = async () => Number((await redis.hget(partitionKeys({ topicId: topic.id, partition: 0 }).state, 'next')) ?? 0);

describe('JSON bodies', () => {
  it('answers 400 JSON_TOO_DEEP for a value nested 4,100 levels deep (an 8 KB body that overflowed the stack)', async () => {
    const response = await writeRaw(`{"key":"k","value":${'['.repeat(4100)}${']'.repeat(4100)}}`);
    expect(response.statusCode).toBe(400);
    documented(response.json(), 400, 'JSON_TOO_DEEP');
    expect(response.json().message).toContain(`more than ${config.maxJsonDepth} deep`);
  });

  it('accepts a value nested exactly as deep as allowed', async () => {
    const depth = config.maxJsonDepth - 1; // the body object is one level
    const response = await writeRaw(`{"key":"k","value":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(response.statusCode, response.body).toBe(200);
  });

  it('answers 413 JSON_TOO_MANY_ELEMENTS for millions of tiny objects within the byte limit, before parsing them', async () => {
    const body = `{"key":"k","value":[${'{},'.repeat(config.maxJsonElements)}{}]}`;
    expect(body.length).toBeLessThan(config.maxBodyBytes);
    const response = await writeRaw(body);
    expect(response.statusCode).toBe(413);
    documented(response.json(), 413, 'JSON_TOO_MANY_ELEMENTS');
  });

  it('bounds the body of routes other than /write to MAX_CONTROL_BODY_BYTES', async () => {
    const response = await broker.app.inject({
      method: 'POST',
      url: `/create_topic/${uniqueName('big')}/1`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ retention_ms: 1000, pad: 'x'.repeat(config.maxControlBodyBytes) }),
    });
    expect(response.statusCode).toBe(413);
    documented(response.json(), 413, 'BODY_TOO_LARGE');
  });

  it('answers 400 INVALID_JSON for 1e400 (parsed as Infinity, it was stored as null) and stores nothing', async () => {
    const before = await storedRecords();
    for (const value of ['1e400', '-1e400', `{"n":[${'9'.repeat(400)}]}`]) {
      const response = await writeRaw(`{"key":"k","value":${value}}`);
      expect(response.statusCode, value).toBe(400);
      documented(response.json(), 400, 'INVALID_JSON');
    }
    expect(await storedRecords()).toBe(before);
  });

  it('answers 400 INVALID_JSON for invalid UTF-8 (it was silently replaced by U+FFFD) and stores nothing', async () => {
    const before = await storedRecords();
    const body = Buffer.concat([Buffer.from('{"key":"k","value":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const response = await writeRaw(body);
    expect(response.statusCode).toBe(400);
    documented(response.json(), 400, 'INVALID_JSON');
    expect(response.json().message).toContain('UTF-8');
    expect(await storedRecords()).toBe(before);
  });

  it('keeps valid multi-byte UTF-8 exactly', async () => {
    const response = await writeRaw(Buffer.from('{"key":"héllo","value":"日本語 🎉"}', 'utf8'));
    expect(response.statusCode, response.body).toBe(200);
  });

  it('answers 415 for JSON sent as text/plain, as for a form', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded']) {
      const response = await writeRaw('{"key":"k","value":1}', type);
      expect(response.statusCode, type).toBe(415);
      documented(response.json(), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });
});

describe('methods', () => {
  it('answers 405 with Allow for a wrong method on a known path, and 404 for an unknown path', async () => {
    const cases = [
      { method: 'GET', url: `/write/${topic.name}`, allow: 'POST' },
      { method: 'DELETE', url: '/topics', allow: 'GET, HEAD' },
      { method: 'POST', url: `/topics/${topic.name}`, allow: 'GET, HEAD, PATCH' },
      { method: 'GET', url: `/delete_topic/${topic.name}`, allow: 'DELETE' },
      { method: 'PUT', url: '/healthz', allow: 'GET, HEAD' },
    ] as const;
    for (const { method, url, allow } of cases) {
      const response = await broker.app.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers.allow).toBe(allow);
      documented(response.json(), 405, 'METHOD_NOT_ALLOWED');
    }
    const unknown = await broker.app.inject({ method: 'GET', url: '/no/such/path' });
    expect(unknown.statusCode).toBe(404);
    documented(unknown.json(), 404, 'ROUTE_NOT_FOUND');
  });
});

describe("Node's client-error path (raw sockets)", () => {
  const expectClosedWith = (answer: Awaited<ReturnType<typeof rawExchange>>, status: number, code: string) => {
    expect(answer.status, answer.text).toBe(status);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.headers['content-type']).toContain('application/json');
    documented(JSON.parse(answer.body), status, code);
    expect(answer.closed).toBe(true);
  };

  it('answers a malformed request line with the documented body and Connection: close', async () => {
    expectClosedWith(await rawExchange(port, ['GARBAGE\r\n\r\n']), 400, 'INVALID_REQUEST');
  });

  it('answers a header block over 16 KiB with 431 HEADERS_TOO_LARGE', async () => {
    const answer = await rawExchange(port, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`]);
    expectClosedWith(answer, 431, 'HEADERS_TOO_LARGE');
  });

  it('answers a raw non-ASCII byte in the path with 400', async () => {
    const request = Buffer.concat([Buffer.from('GET /topics/caf'), Buffer.from([0xe9]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expectClosedWith(await rawExchange(port, [request]), 400, 'INVALID_REQUEST');
  });

  it('answers a bad Content-Length or a bad chunk with 400', async () => {
    const badLength = `POST /write/${topic.name} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`;
    expectClosedWith(await rawExchange(port, [badLength]), 400, 'INVALID_REQUEST');
    const badChunk = `POST /write/${topic.name} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`;
    expectClosedWith(await rawExchange(port, [badChunk]), 400, 'INVALID_REQUEST');
  });

  it('tells a keep-alive client to close: the request after a client error is never sent into a reset', async () => {
    const answer = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'], {
      eachAfterAnswer: true,
    });
    expect(answer.text).toMatch(/^HTTP\/1\.1 200 /);
    const second = answer.text.slice(answer.text.indexOf('HTTP/1.1', 10));
    expect(second).toMatch(/^HTTP\/1\.1 400 /);
    expect(second.toLowerCase()).toContain('connection: close');
    expect(answer.closed).toBe(true);
  });

  it('answers 408 REQUEST_TIMEOUT and closes when a body is shorter than its Content-Length', async () => {
    const request = `POST /write/${topic.name} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"key":`;
    expectClosedWith(await rawExchange(port, [request]), 408, 'REQUEST_TIMEOUT');
  });

  it('answers 408 REQUEST_TIMEOUT and closes when a chunked body never ends', async () => {
    const request = `POST /write/${topic.name} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{"\r\n`;
    expectClosedWith(await rawExchange(port, [request]), 408, 'REQUEST_TIMEOUT');
  });

  it('answers 408 REQUEST_TIMEOUT and closes when the headers never end', async () => {
    expectClosedWith(await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n']), 408, 'REQUEST_TIMEOUT');
  });
});
