// What the broker and the gateway share over HTTP: one Fastify setup, one error body, one set of schema
// pieces, and the health routes.
import { boundBodiesInFlight } from './body-budget.js';
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Ajv, type ErrorObject } from 'ajv';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifySchema,
} from 'fastify';
import type { RouteAccess } from './access.js';
import { enforceAccessControl, type AccessControl } from './auth/access-control.js';
import { registerApiDocs } from './openapi.js';
import { errorResponses } from './protocol/common.js';
import { Liveness, NotReady, Readiness } from './protocol/health.js';
import { ConfigError, type Config } from './config.js';
import { withDeadline } from './deadline.js';
import { errorTable, TributaryError, type ErrorCode } from './errors.js';
import { checkJsonLimits } from './json-limits.js';
import type { Logger } from './logger.js';
import { secondsSince, type ServiceMetrics } from './metrics.js';
import { pingRedis, redisState, type RedisClient } from './storage/connection.js';
import type { ZooKeeper } from './zookeeper.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body's values are stored and re-served as JSON, never merged into objects (see createHttpServer). */
    opaqueJsonBody?: boolean;
  }
  interface FastifyRequest {
    /** Bytes of the request body as received (0 without one): what a produce quota charges. */
    bodyBytes: number;
  }
}

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  retriable: boolean;
}

export function errorBody(code: ErrorCode, message: string, statusCode: number = errorTable[code].statusCode): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message, retriable: errorTable[code].retriable };
}

/** Every route's error responses, for its `response` schema (the contract's, protocol/common.ts). */
export { errorResponses };

// ---- the Fastify instance ----

export interface HttpOptions {
  config: Config;
  logger: Logger;
  /** API keys, ACLs and quotas (auth/access-control.ts); required with AUTH=on. */
  access?: AccessControl;
  /** Counts every request by route pattern and status, and every error answer by code (metrics.ts). */
  metrics?: ServiceMetrics;
}

/**
 * A Fastify instance with Tributary's conventions: every error is {statusCode, code, error, message,
 * retriable}, unknown body fields are refused rather than dropped, and bodies are not type-coerced (a number
 * is not a key) while path and query strings are. Every route must declare its `config.access` (access.ts).
 *
 * What a client can make it spend is bounded (docs/invariants.md I11; the limits table in README.md): bytes per body
 * (MAX_CONTROL_BODY_BYTES, or a route's own bodyLimit), JSON depth and element count checked before parsing
 * (json-limits.ts), and time to send headers and a whole request. Malformed HTTP gets the same error body,
 * with Connection: close, as everything else.
 */
export function createHttpServer({ config, logger, access, metrics }: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.maxControlBodyBytes,
    // A body shorter than its Content-Length, or a chunked body never ended, would hold a connection forever.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    ...(config.tlsCertFile && config.tlsKeyFile
      ? { https: { ...serverOptions(config), ...tlsOptions(config.tlsCertFile, config.tlsKeyFile) } }
      : { http: serverOptions(config) }),
    clientErrorHandler: (err, socket) => answerClientError(logger, err, socket),
    // A log line per request would cost more than the write it describes; errors are logged below. For the
    // same reason requests log through the app's logger rather than a child made for each one.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    // Requests arriving while the server closes get the documented body (answerWhileClosing), not Fastify's own.
    return503OnClosing: false,
    schemaErrorFormatter: (errors, dataVar) => formatValidationErrors(errors, dataVar),
    // Long enough for any legal topic name (249) or email (254) in a path segment.
    routerOptions: { maxParamLength: 1024 },
    // URLs the router cannot even parse get the same error body as everything else.
    frameworkErrors: (err, _request, reply) => {
      const body =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? errorBody('INVALID_REQUEST', 'a path segment is longer than 1024 characters', 414)
          : errorBody('INVALID_REQUEST', 'the URL is not valid (bad percent-encoding?)');
      void (reply as FastifyReply).code(body.statusCode).send(body);
    },
  });
  if (!config.auth && !isLoopback(config.listenHost)) {
    logger.warn(
      { listenHost: config.listenHost },
      `!!! AUTH is off and this service listens on ${config.listenHost}, not only on loopback: anyone who can reach ` +
        'it can read, write and delete every topic. Set AUTH=on (with TRIBUTARY_ADMIN_KEY), or LISTEN_HOST=127.0.0.1. !!!',
    );
  }

  const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const coercing = new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));

  registerJsonParser(app, config);
  registerApiDocs(app, { title: 'Tributary HTTP API', version: '0.1.0' });
  requireAccessDeclarations(app);
  enforceAccessControl(app, config, access);
  // After authentication: a request that is refused anyway does not wait for room.
  boundBodiesInFlight(app, config, metrics);
  answerWrongMethods(app);
  answerWhileClosing(app);
  if (metrics) countRequests(app, metrics);

  app.setErrorHandler((err: FastifyError | TributaryError, request, reply) => {
    const body = toErrorBody(err);
    metrics?.errors.inc({ code: body.code });
    if (body.statusCode >= 500) request.log.error({ err, url: request.url }, body.message);
    else request.log.info({ code: body.code, url: request.url }, body.message);
    if (body.retriable && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    reply.code(body.statusCode).send(body);
  });

  return app;
}

/**
 * application/json only (text/plain and forms are 415): valid UTF-8 (never silently replaced), within the
 * depth and element limits, then parsed. `curl -X POST -H 'content-type: application/json'` with no body is
 * an empty body, not an error.
 */
function registerJsonParser(app: FastifyInstance, config: Config): void {
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('bodyBytes', 0);
  const limits = { maxDepth: config.maxJsonDepth, maxElements: config.maxJsonElements };
  const parseChecked = app.getDefaultJsonParser('error', 'error');
  // Routes marked `opaqueJsonBody` store the values they receive and serve them again as JSON text, never
  // merging them into objects, so a "__proto__" key in a value is just data. They skip the poisoning scan,
  // a regex pass over the whole body that cost as much as the parse itself on batch writes (bench/results).
  const parseOpaque = app.getDefaultJsonParser('ignore', 'ignore');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.bodyBytes = bytes.length;
    if (!isUtf8(bytes)) return done(new TributaryError('INVALID_JSON', 'the request body is not valid UTF-8'), undefined);
    const text = bytes.toString('utf8');
    if (text.trim().length === 0) return done(null, undefined);
    try {
      checkJsonLimits(text, limits);
    } catch (err) {
      return done(err as TributaryError, undefined);
    }
    (request.routeOptions.config.opaqueJsonBody ? parseOpaque : parseChecked)(request, text, done);
  });
}

/**
 * While the service shuts down (SIGTERM), requests still arriving on open keep-alive connections are answered
 * 503 NOT_READY — retriable, nothing was done, so a client or load balancer sends them elsewhere — and every
 * answer from then on closes its connection, so clients stop reusing it.
 */
function answerWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    const body = errorBody('NOT_READY', 'this instance is shutting down: retry on another one');
    void reply.code(503).header('connection', 'close').header('retry-after', '1').send(body);
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

/** Every route says what it needs (access.ts), so that authorization cannot miss one. */
function requireAccessDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no config.access (see core/src/access.ts)`);
    }
  });
}

export interface DeclaredRoute {
  readonly method: string;
  /** As declared, with its `:params`. */
  readonly url: string;
  readonly access: RouteAccess | 'public' | undefined;
  /** The route's schema as declared (params, querystring, body, response). */
  readonly schema: FastifySchema | undefined;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route of an app built by createHttpServer, as declared (the fuzz suite drives each one). */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return declared.get(app) ?? [];
}

/**
 * A known path with a method it does not take is 405 with Allow, not 404. The paths are matched segment by
 * segment (a `:param` matches any one segment), as the router would.
 */
function answerWrongMethods(app: FastifyInstance): void {
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  const list: DeclaredRoute[] = [];
  declared.set(app, list);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) list.push({ method, url: route.url, access: route.config?.access, schema: route.schema });
    const source = `^${route.url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}/?$`;
    let entry = routes.find((known) => known.pattern.source === source);
    if (!entry) routes.push((entry = { pattern: new RegExp(source), methods: new Set() }));
    for (const method of [route.method].flat()) entry.methods.add(method);
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = new Set(routes.filter(({ pattern }) => pattern.test(path)).flatMap(({ methods }) => [...methods]));
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(', ');
      return reply
        .code(405)
        .header('allow', allow)
        .send(errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allow}`));
    }
    return reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`));
  });
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a malformed request line, headers over
 * 16 KiB, a bad Content-Length or chunk, a timeout): the documented error body, and Connection: close,
 * because the socket is closed after it.
 */
function answerClientError(logger: Logger, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const body =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? errorBody('REQUEST_TIMEOUT', 'the request was not received in time (headers or body too slow, or a body shorter than its Content-Length)')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? errorBody('HEADERS_TOO_LARGE', 'the request line and headers are larger than 16 KiB')
        : errorBody('INVALID_REQUEST', `malformed HTTP request (${err.code ?? err.message})`);
  logger.info({ code: body.code, reason: err.code }, body.message);
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n${body.retriable ? 'Retry-After: 1\r\n' : ''}\r\n${text}`,
    );
  }
  socket.destroySoon();
}

function serverOptions(config: Config): { headersTimeout: number; connectionsCheckingInterval: number } {
  // Node checks the header and request timeouts on this interval (30 s by default, far coarser than them).
  return { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, Math.ceil(config.headersTimeoutMs / 4)) };
}

/** The certificate and key files as TLS options, or a ConfigError naming the one that cannot be read. */
export function tlsOptions(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`${name} cannot be read: ${(err as Error).message}`);
    }
  };
  return { cert: read('TLS_CERT_FILE', certFile), key: read('TLS_KEY_FILE', keyFile) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function toErrorBody(err: FastifyError | TributaryError): ErrorBody {
  if (err instanceof TributaryError) return errorBody(err.code, err.message);
  if ('validation' in err && err.validation) return errorBody('INVALID_REQUEST', err.message);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody('BODY_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody('UNSUPPORTED_MEDIA_TYPE', `unsupported content type; ${errorTable.UNSUPPORTED_MEDIA_TYPE.message}`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errorBody('INVALID_JSON', errorTable.INVALID_JSON.message);
  }
  if (err instanceof SyntaxError) return errorBody('INVALID_JSON', `the request body is not valid JSON: ${err.message}`);
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return errorBody('INVALID_REQUEST', err.message, status);
  return errorBody('INTERNAL_ERROR', errorTable.INTERNAL_ERROR.message);
}

/** "body.records[3].key must be string" — names the field and why. */
export function formatValidationErrors(errors: ErrorObject[], dataVar: string): Error {
  const [first] = errors;
  if (!first) return new TributaryError('INVALID_REQUEST');
  let where = dataVar + first.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
  let why = first.message ?? 'is invalid';
  if (first.keyword === 'required') {
    where += `.${(first.params as { missingProperty: string }).missingProperty}`;
    why = 'is required';
  } else if (first.keyword === 'additionalProperties') {
    where += `.${(first.params as { additionalProperty: string }).additionalProperty}`;
    why = 'is not a known field';
  } else if (first.keyword === 'pattern' && where.endsWith('topic')) {
    why = "must be 1-249 characters of ASCII letters, digits, '.', '_' and '-'";
  }
  return new TributaryError('INVALID_REQUEST', `${where} ${why}`);
}

// ---- health ----

/**
 * Each dependency's state, as /readyz reports it: "ready"; "degraded" when the service still does its job
 * without it; anything else says why the service cannot serve.
 */
export type ReadinessChecks = Record<string, () => Promise<string> | string>;

/** States in which a dependency still lets the service serve, so a load balancer keeps sending it traffic. */
const SERVING = new Set(['ready', 'degraded']);

/**
 * GET /healthz: the process answers. GET /readyz: 200 while every dependency is ready or degraded, else 503
 * NOT_READY naming those that are not; both bodies carry every check.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessChecks): void {
  const config = { access: 'public' as const };
  app.get('/healthz', { config, schema: { response: { 200: Liveness, ...errorResponses } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config, schema: { response: { 200: Readiness, 503: NotReady, ...errorResponses } } }, async (_request, reply) => {
    const names = Object.keys(checks);
    const states = await Promise.all(names.map(async (name) => checks[name]!()));
    const report = Object.fromEntries(names.map((name, i) => [name, states[i]]));
    const notReady = names.filter((_, i) => !SERVING.has(states[i]!));
    if (notReady.length === 0) return { status: states.every((state) => state === 'ready') ? 'ready' : 'degraded', checks: report };
    const message = `not ready: ${notReady.map((name) => `${name} is ${report[name]}`).join(', ')}`;
    return reply.code(503).send({ ...errorBody('NOT_READY', message), checks: report });
  });
}

/**
 * "ready" when Redis answers a PING within `timeoutMs`, else why not: a frozen Redis keeps its socket open
 * and looks connected, so only an answer counts. Every record lives in Redis: without it nothing is served.
 */
export async function redisHealth(redis: RedisClient, timeoutMs: number): Promise<string> {
  if (redis.status !== 'ready') return redisState(redis);
  return (await pingRedis(redis, timeoutMs)) ? 'ready' : 'not answering';
}

/** Like redisHealth, for a connection in subscriber mode, where PING answers ["pong", ""]. */
export async function subscriberHealth(subscriber: RedisClient, timeoutMs: number): Promise<string> {
  if (subscriber.status !== 'ready') return redisState(subscriber);
  try {
    const reply: unknown = await withDeadline(subscriber.ping(), timeoutMs);
    return reply === 'PONG' || (Array.isArray(reply) && reply[0] === 'pong') ? 'ready' : 'not answering';
  } catch {
    return 'not answering';
  }
}

/**
 * ZooKeeper holds metadata, which requests read from a cache: once the cache is loaded, a service whose
 * ZooKeeper connection is down still writes and reads ("degraded"); only topic admin waits for ZooKeeper.
 */
export function zooKeeperHealth(zk: ZooKeeper, metadata: { readonly loaded: boolean }): string {
  if (zk.state === 'ready') return 'ready';
  return metadata.loaded ? 'degraded' : zk.state;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request arrived, for the latency histogram. */
    startedAt: number;
  }
}

/** Requests and latency by route pattern (never the URL: one series per route) and status. */
function countRequests(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.decorateRequest('startedAt', 0);
  app.addHook('onRequest', async (request) => {
    request.startedAt = performance.now();
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, secondsSince(request.startedAt));
  });
}
