// What the broker and the gateway share over HTTP: one Fastify setup, one error body, one set of schema
// pieces, and the health routes.
import { STATUS_CODES } from 'node:http';
import { Ajv, type ErrorObject } from 'ajv';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Config } from './config.js';
import { withDeadline } from './deadline.js';
import { errorTable, TributaryError, type ErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { pingRedis, redisState, type RedisClient } from './storage/connection.js';
import { TOPIC_NAME_PATTERN } from './topics.js';
import type { ZooKeeper } from './zookeeper.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body's values are stored and re-served as JSON, never merged into objects (see createHttpServer). */
    opaqueJsonBody?: boolean;
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

// ---- schema pieces, referenced by both services' routes ----

export const errorBodySchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
    retriable: { type: 'boolean' },
  },
} as const;

/** Every route's error responses, for its `response` schema. */
export const errorResponses = { '4xx': errorBodySchema, '5xx': errorBodySchema } as const;

export const topicNameSchema = { type: 'string', minLength: 1, maxLength: 249, pattern: TOPIC_NAME_PATTERN } as const;
export const offsetSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
export const partitionSchema = { type: 'integer', minimum: 0, maximum: 99_999 } as const;
export const keySchema = { type: 'string', maxLength: 32_768 } as const;
export const headersSchema = {
  type: 'object',
  maxProperties: 64,
  propertyNames: { maxLength: 256 },
  additionalProperties: { type: 'string', maxLength: 65_536 },
} as const;

// ---- the Fastify instance ----

export interface HttpOptions {
  config: Config;
  logger: Logger;
}

/**
 * A Fastify instance with Tributary's conventions: every error is {statusCode, code, error, message},
 * unknown body fields are refused rather than dropped, and bodies are not type-coerced (a number is not a
 * key) while path and query strings are.
 */
export function createHttpServer({ config, logger }: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.maxBodyBytes,
    // A log line per request would cost more than the write it describes; errors are logged below. For the
    // same reason requests log through the app's logger rather than a child made for each one.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    return503OnClosing: true,
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

  const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const coercing = new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));

  // `curl -X POST -H 'content-type: application/json'` with no body is an empty body, not an error.
  const parseChecked = app.getDefaultJsonParser('error', 'error');
  // Routes marked `opaqueJsonBody` store the values they receive and serve them again as JSON text, never
  // merging them into objects, so a "__proto__" key in a value is just data. They skip the poisoning scan,
  // a regex pass over the whole body that cost as much as the parse itself on batch writes (bench/results).
  const parseOpaque = app.getDefaultJsonParser('ignore', 'ignore');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0 || text.trim().length === 0) return done(null, undefined);
    (request.routeOptions.config.opaqueJsonBody ? parseOpaque : parseChecked)(request, text, done);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: FastifyError | TributaryError, request, reply) => {
    const body = toErrorBody(err);
    if (body.statusCode >= 500) request.log.error({ err, url: request.url }, body.message);
    else request.log.info({ code: body.code, url: request.url }, body.message);
    if (body.retriable) reply.header('retry-after', '1');
    reply.code(body.statusCode).send(body);
  });

  return app;
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
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
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
