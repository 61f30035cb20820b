// The published HTTP contract: OpenAPI 3 at /openapi.json and Swagger UI at /docs, on both services, made
// from the routes' own JSON schemas (@fastify/swagger collects them as routes are declared), so the document
// cannot drift from what the services validate and serialize.
import { STATUS_CODES } from 'node:http';
import { fastifySwagger, type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { fastifySwaggerUi } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { errorTable, type ErrorCode } from './errors.js';
import { errorCodesOf } from './protocol/route-errors.js';

/** What a route does, in a line, and an example of its successful answer, for routes whose schema has none. */
export interface RouteDoc {
  summary: string;
  example?: unknown;
}

const topicExample = {
  name: 'orders',
  id: '6f1c2d4e-8a0b-4c3d-9e7f-1a2b3c4d5e6f',
  partition_count: 2,
  partitions: [
    { partition: 0, log_start_offset: 0, next_offset: 3, records: 3 },
    { partition: 1, log_start_offset: 0, next_offset: 1, records: 1 },
  ],
  config: { retention_ms: 604_800_000, max_record_bytes: 1_048_576, segment_records: 1000, dedup_window_ms: 600_000 },
  created_at: '2026-11-23T02:00:00.000Z',
};

const replayExample = {
  replay_id: '9f2c4e1a7b3d5f60',
  status: 'running',
  topic: 'game.match.end',
  target: { topic: 'game.match.end.replay' },
  from: 1_795_000_000_000,
  to: 1_795_003_600_000,
  filter: { mode: 'ranked', duration_s: { $gte: 600 } },
  created_at: '2026-11-23T02:00:00.000Z',
  finished_at: null,
  error: null,
  progress: { records_total: 12_000, scanned: 6_000, matched: 480, written: 480, percent: 50 },
  partitions: [
    { partition: 0, position: 3_000, end: 6_000 },
    { partition: 1, position: 9_000, end: 12_000 },
  ],
};

/**
 * Summaries and examples of both services' routes, by `METHOD url` as declared. A route's own
 * `schema.summary` wins; the test in broker/test/openapi.test.ts fails for a route that has neither.
 */
export const routeDocs: Record<string, RouteDoc> = {
  // health and the contract itself
  'GET /healthz': { summary: 'The process answers', example: { status: 'ok' } },
  'GET /readyz': { summary: 'Ready when every dependency is ready or degraded (503 NOT_READY otherwise)', example: { status: 'ready', checks: { redis: 'ready', zookeeper: 'ready' } } },
  'GET /metrics': { summary: 'Prometheus metrics, in the text exposition format' },
  'GET /openapi.json': { summary: 'This document: the service’s HTTP contract as OpenAPI 3' },
  // broker: topics and writes
  'POST /create_topic/:topic/:num_partitions': { summary: 'Create a topic with a number of partitions and an optional config', example: topicExample },
  'DELETE /delete_topic/:topic': { summary: 'Delete a topic and its records', example: { topic: 'orders', deleted: true } },
  'GET /topics': { summary: 'Every topic, with its partitions and config', example: { topics: [topicExample] } },
  'GET /topics/:topic': { summary: 'A topic: partitions with log-start and next offsets, and its config', example: topicExample },
  'PATCH /topics/:topic': { summary: 'Change a topic’s config, or its partition count upwards', example: topicExample },
  'POST /write/:topic': {
    summary: 'Write one record ({key, value, headers, id}) or a batch ({records: [...]})',
    example: { topic: 'orders', partition: 1, offset: 42, timestamp: 1_795_000_000_000, duplicate: false },
  },
  'GET /topics/:topic/ids/:id': {
    summary: 'Where the record with this idempotency id went, while the id is inside the dedup window',
    example: { topic: 'orders', id: 'order-17', partition: 1, offset: 42, timestamp: 1_795_000_000_000 },
  },
  'GET /topics/:topic/partitions/:partition/records': {
    summary: 'Browse a partition from an offset or a time, without consumer state',
    example: { topic: 'orders', partition: 0, records: [{ offset: 0, timestamp: 1_795_000_000_000, key: 'k', value: { n: 1 }, headers: {} }], next_offset: 1 },
  },
  'GET /stats': {
    summary: 'The cluster at a glance: records published and consumed (totals, per second), topics, partitions, subscriptions',
    example: {
      published_total: 1_542_000,
      consumed_total: 1_541_200,
      published_per_second: 450.5,
      consumed_per_second: 448.2,
      topics: 25,
      active_topics: 12,
      partitions: 96,
      records_stored: 1_200_000,
      subscriptions: { emails: 40, groups: 12 },
      measured_at: '2026-11-23T02:00:00.000Z',
    },
  },
  'POST /replay': { summary: 'Replay a time window of a topic, filtered by a condition on the values, into another topic (runs in the background)', example: replayExample },
  'GET /replay/:id': { summary: 'A replay’s status and progress', example: replayExample },
  'DELETE /replay/:id': { summary: 'Cancel a running replay (what it wrote stays written); an ended one keeps its outcome', example: { ...replayExample, status: 'cancelled' } },
  'GET /replays': { summary: 'The last 100 replays, newest first', example: { replays: [replayExample] } },
  'GET /cluster': {
    summary: 'Brokers, the controller, and this broker’s view of Redis and ZooKeeper',
    example: {
      brokers: [{ id: 'broker-1', host: '127.0.0.1', port: 8080, started_at: '2026-11-23T02:00:00.000Z', version: '0.1.0', last_seen: '2026-11-23T02:00:05.000Z', alive: true }],
      controller: { broker_id: 'broker-1', epoch: 1, elected_at: '2026-11-23T02:00:00.100Z' },
      this_broker: { id: 'broker-1', controller: true },
      redis: { address: '127.0.0.1:6379', state: 'ready' },
      zookeeper: { address: '127.0.0.1:2181', root: '/tributary', state: 'ready' },
    },
  },
  // web console (served by the broker)
  'GET /ui': { summary: 'The web console' },
  'GET /ui/*': { summary: 'The web console’s assets' },
  'GET /ui/config.json': { summary: 'Where the web console finds the gateway' },
  'GET /ui/gateway/*': { summary: 'The gateway, proxied for the web console' },
  // gateway: per-email consumers
  'POST /subscribe/:email/:topic': { summary: 'Subscribe an email (a consumer) to a topic', example: { email: 'a@example.com', topic: 'orders', subscribed: true } },
  'POST /unsubscribe/:email/:topic': { summary: 'Unsubscribe an email from a topic, dropping its offsets', example: { email: 'a@example.com', topic: 'orders', unsubscribed: true } },
  'GET /read/:email/:topic/:key': { summary: 'Read the next records of the partition a key maps to (long poll with wait_ms)' },
  'GET /read/:email/:topic': { summary: 'Read the next records of every partition (or one), fairly shared (long poll with wait_ms)' },
  'POST /commit/:email/:topic/:partition': { summary: 'Commit an offset for an email on a partition' },
  'POST /seek/:email/:topic': { summary: 'Move an email’s offsets to the earliest, the latest, an offset or a time' },
  'GET /subscriptions/:email': { summary: 'The topics an email is subscribed to, with its offsets' },
  'GET /topics/:topic/consumers': { summary: 'Every email and group reading a topic, with lag per partition' },
  // gateway: consumer groups
  'POST /groups/:group/members': { summary: 'Join a group: a member id and a session, leases on partitions to come' },
  'POST /groups/:group/members/:member/heartbeat': { summary: 'Keep a member’s session alive; answers its current leases' },
  'GET /groups/:group/members/:member/records': { summary: 'Fetch records of the member’s leased partitions (long poll)' },
  'POST /groups/:group/members/:member/commit': { summary: 'Commit offsets for leased partitions (a stale lease is refused)' },
  'POST /groups/:group/members/:member/nack': { summary: 'Give records back for redelivery later, or to the dead-letter topic' },
  'DELETE /groups/:group/members/:member': { summary: 'Leave a group; its partitions move to the other members' },
  'GET /groups': { summary: 'Every consumer group' },
  'GET /groups/:group': { summary: 'A group: members, leases, committed offsets and lag' },
  'PUT /groups/:group/config': { summary: 'Change a group’s config (session timeout, redelivery, dead letters)' },
  'POST /groups/:group/offsets': { summary: 'Reset a group’s committed offsets' },
  'DELETE /groups/:group': { summary: 'Delete a group and its offsets' },
  // both services: API keys, ACLs, quotas (admin on cluster)
  'POST /keys': { summary: 'Create an API key for a principal (shown once)', example: { key_id: 'k1a2b3', key: 'trib_…', principal: 'alice' } },
  'GET /keys': { summary: 'Every API key (ids and principals, never secrets)' },
  'DELETE /keys/:key_id': { summary: 'Revoke an API key' },
  'DELETE /principals/:principal/keys': { summary: 'Revoke every API key of a principal' },
  'GET /acls': { summary: 'Every ACL' },
  'PUT /acls/:principal/:operation/:resource': { summary: 'Grant a principal an operation on a resource (exact or prefix*)' },
  'DELETE /acls/:principal/:operation/:resource': { summary: 'Take an ACL back' },
  'GET /quotas': { summary: 'Every principal’s quota overrides' },
  'PUT /quotas/:principal': { summary: 'Set a principal’s quotas (requests/s, produce bytes/s; 0 for none)' },
  'DELETE /quotas/:principal': { summary: 'Remove a principal’s quota overrides (the defaults apply again)' },
};

/**
 * A route's error answers of one class (4xx or 5xx): the error body with the route's codes of that class, an
 * example of the first, and the codes with their statuses as the description.
 */
function errorAnswers(codes: readonly ErrorCode[]) {
  const [first] = codes;
  return {
    description: codes.map((code) => `${errorTable[code].statusCode} ${code}`).join(', '),
    type: 'object',
    required: ['statusCode', 'code', 'error', 'message', 'retriable'],
    properties: {
      statusCode: { type: 'integer' },
      code: { type: 'string', enum: codes },
      error: { type: 'string' },
      message: { type: 'string' },
      retriable: { type: 'boolean' },
    },
    ...(first === undefined ? {} : { example: exampleError(first) }),
  };
}

function exampleError(code: ErrorCode) {
  const { statusCode, message, retriable } = errorTable[code];
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message, retriable };
}

const statusClass = (code: ErrorCode) => Math.floor(errorTable[code].statusCode / 100);

const errorCodesByStatus = (): string =>
  Object.entries(errorTable)
    .map(([code, { statusCode }]) => `${statusCode} ${code}`)
    .sort()
    .join(', ');

/** Routes the Swagger UI plugin declares (its assets); public like the document they show. */
const DOCS_PREFIX = '/docs';

/**
 * Registers @fastify/swagger (collecting every route declared after it), GET /openapi.json and Swagger UI at
 * /docs. Called by createHttpServer before requireAccessDeclarations so that the UI plugin's own routes,
 * which cannot carry a route config, are marked public here.
 */
export function registerApiDocs(app: FastifyInstance, { title, version }: { title: string; version: string }): void {
  app.addHook('onRoute', (route) => {
    if (route.prefix === DOCS_PREFIX && route.config?.access === undefined) route.config = { ...route.config, access: 'public' };
  });

  // Set up at once rather than registered: a registered plugin starts only at boot, and its onRoute hook
  // would miss every route the services declare synchronously before then.
  const setUp = fastifySwagger as unknown as (app: FastifyInstance, options: FastifyDynamicSwaggerOptions, done: (err?: Error) => void) => void;
  setUp(app, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title,
        version,
        description:
          'Every error answers {statusCode, code, error, message, retriable}; `retriable` says whether the same request may succeed later. ' +
          `Codes by status: ${errorCodesByStatus()}.`,
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, with AUTH=on' } },
      },
    },
    transform: ({ schema, url, route }) => {
      const method = [route.method].flat()[0]!;
      const doc = routeDocs[`${method} ${route.url}`];
      const own = (schema ?? {}) as Record<string, unknown>;
      const response = { ...((own.response as Record<string, unknown> | undefined) ?? {}) };
      // Every route answers the error body on a refusal, whether or not its schema says so; the document shows
      // it with the codes this route can answer (protocol/route-errors.ts), all of them for a route not listed.
      const codes = errorCodesOf({ method, url: route.url, access: route.config?.access }) ?? (Object.keys(errorTable) as ErrorCode[]);
      response['4xx'] = errorAnswers(codes.filter((code) => statusClass(code) === 4));
      response['5xx'] = errorAnswers(codes.filter((code) => statusClass(code) === 5));
      // A status with a body of its own (503 PARTIAL_WRITE, 503 NOT_READY) names its codes too.
      for (const status of Object.keys(response).filter((key) => /^[45]\d\d$/.test(key))) {
        const own = codes.filter((code) => errorTable[code].statusCode === Number(status));
        if (own.length > 0) response[status] = { ...(response[status] as object), description: own.map((code) => `${status} ${code}`).join(', ') };
      }
      if (doc?.example !== undefined) {
        const ok = Object.keys(response).find((status) => /^2\d\d$/.test(status));
        const okSchema = ok ? (response[ok] as Record<string, unknown>) : undefined;
        if (ok && okSchema && typeof okSchema === 'object') response[ok] = { ...okSchema, example: doc.example };
        else response['200'] = { description: 'OK', type: 'object', additionalProperties: true, example: doc.example };
      }
      // A route whose success body is not described (pages, streams, text) still documents that it succeeds.
      if (!Object.keys(response).some((status) => /^2\d\d$/.test(status))) response['200'] = { description: 'OK' };
      const access = route.config?.access;
      const description =
        access === undefined || access === 'public' ? 'Public: no API key needed.' : `Needs ${access.operation} on the resource the request names (with AUTH=on).`;
      return {
        schema: {
          ...own,
          summary: (own.summary as string | undefined) ?? doc?.summary,
          description: (own.description as string | undefined) ?? description,
          response,
          ...(access !== undefined && access !== 'public' ? { security: [{ apiKey: [] }] } : {}),
        } as never,
        url,
      };
    },
  }, (err) => {
    if (err) throw err;
  });

  // Made once, at the first request (every route is declared by then), and sent as text from then on: the
  // document is large, and serializing it again for every request would cost real CPU.
  let document: string | undefined;
  app.get('/openapi.json', { config: { access: 'public' } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send((document ??= JSON.stringify(app.swagger()))),
  );

  // Called inside a plugin of our own: registered itself, fastify-plugin's dependency check would not see the
  // swagger set up above.
  const setUpUi = fastifySwaggerUi as unknown as (app: FastifyInstance, options: { routePrefix: string }) => Promise<void>;
  void app.register(async (docs) => setUpUi(docs, { routePrefix: DOCS_PREFIX }));
}
