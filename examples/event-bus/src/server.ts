// The event bus service: publish events with ids (stored once however often they are retried), ask where an
// event went, subscribe services to topic patterns with retries and dead letters, replay a time window of a
// topic, and see the numbers, all on Tributary's broker and gateway over HTTP. Errors are JSON in Tributary's
// shape, {statusCode, code, error, message, retriable}; Tributary's own 4xx answers are passed on unchanged.
//
//   PORT (8090) HOST (127.0.0.1) BROKER_URL (http://localhost:4000) GATEWAY_URL (http://localhost:5000)
//   TRIBUTARY_API_KEY PARTITIONS (3: of each topic the bus creates) DELIVERY_TIMEOUT_MS (10000)
//   SESSION_TIMEOUT_MS (10000) INSTANCE (bus-<pid>: this process's member name in every subscription's group)
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, errorBody, integer, isMain, pageFiles, run, text, TributaryError, tributaryFromEnv, type Tributary } from '@tributary/example-kit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { httpHandler, Subscription, type Handler, type SubscriptionSpec } from './subscriptions.js';

/** Event types are topic names in the `{domain}.{entity}.{action}` style: game.match.end, system.health. */
const EVENT_TYPE = '^[a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)+$';
const publishBody = {
  type: 'object',
  required: ['event_type', 'source', 'payload'],
  additionalProperties: false,
  properties: {
    event_type: { type: 'string', maxLength: 200, pattern: EVENT_TYPE },
    source: { type: 'string', minLength: 1, maxLength: 128 },
    payload: {},
    event_id: { type: 'string', minLength: 1, maxLength: 128 },
    /** Events with one key keep their order (one partition); by default the event id spreads them. */
    key: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;
const subscriptionBody = {
  type: 'object',
  required: ['service_name', 'topic_pattern', 'endpoint'],
  additionalProperties: false,
  properties: {
    service_name: { type: 'string', maxLength: 200, pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]*$' },
    topic_pattern: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[a-zA-Z0-9._*?-]+$' },
    endpoint: { type: 'string', maxLength: 2_000, pattern: '^https?://' },
    max_retries: { type: 'integer', minimum: 0, maximum: 100, default: 3 },
    retry_delay_ms: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 1_000 },
    from: { type: 'string', enum: ['earliest', 'latest'], default: 'earliest' },
  },
} as const;

const assets = pageFiles(new URL('../public/', import.meta.url), ['index.html', 'app.js', 'event-bus.css', 'favicon.svg']);

export interface BusOptions {
  tributary: Tributary;
  partitions?: number;
  instance?: string;
  sessionTimeoutMs?: number;
  /** How a subscription's events are handled; by default POSTed to its endpoint. */
  handlerFor?: (spec: SubscriptionSpec) => Handler;
}

export async function createBus(options: BusOptions): Promise<FastifyInstance> {
  const { tributary, partitions = 3, instance = `bus-${process.pid}`, sessionTimeoutMs = 10_000 } = options;
  const handlerFor = options.handlerFor ?? ((spec) => httpHandler(spec.endpoint, 10_000));
  const subscriptions = new Map<string, Subscription>();
  const counts = { published: 0, duplicates: 0 };
  const app = Fastify({ logger: false });

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send(errorBody(err.statusCode, err.code, err.message));
    if (err instanceof TributaryError && err.statusCode < 500) return reply.code(err.statusCode).send(err.body ?? errorBody(err.statusCode, err.code, err.message));
    if (err.validation) return reply.code(400).send(errorBody(400, 'INVALID_REQUEST', err.message));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send(errorBody(err.statusCode, 'INVALID_REQUEST', err.message));
    // Tributary unreachable (fetch's TypeError) or failing: trying again later may work.
    if (err instanceof TributaryError || (err instanceof TypeError && err.message === 'fetch failed')) {
      return reply.code(503).send(errorBody(503, 'TRIBUTARY_UNAVAILABLE', `Tributary did not answer: ${err.message}`));
    }
    return reply.code(500).send(errorBody(500, 'INTERNAL_ERROR', 'unexpected error'));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
  for (const [url, { type, body }] of Object.entries(assets)) app.get(url, (_request, reply) => reply.type(type).send(body));

  app.post<{ Body: { event_type: string; source: string; payload: unknown; event_id?: string; key?: string } }>('/events/publish', { schema: { body: publishBody } }, async (request) => {
    const { event_type: topic, source, payload, event_id = randomUUID(), key = event_id } = request.body;
    const record = { key, id: event_id, value: { event_id, event_type: topic, source, payload, published_at: new Date().toISOString() } };
    // Topics are made on first use, with a dead-letter setting of their own: every group's failed events of
    // game.match.end go to game.match.end.dlq, which no pattern subscription picks up. A broker that did not
    // create the topic learns of it from ZooKeeper a moment later; the event id makes the retries safe.
    for (let attempt = 0; ; attempt++) {
      try {
        const [result] = (await tributary.write(topic, [record])).results;
        counts[result!.duplicate ? 'duplicates' : 'published']++;
        return { event_id, topic, partition: result!.partition, offset: result!.offset, timestamp: result!.timestamp, published: true, duplicate: result!.duplicate === true };
      } catch (err) {
        if (!(err instanceof TributaryError && err.code === 'TOPIC_NOT_FOUND') || attempt === 50) throw err;
        if (attempt === 0) await tributary.ensureTopic(topic, partitions, { dead_letter_topic: `${topic}.dlq` });
        else await sleep(100);
      }
    }
  });

  app.get<{ Params: { id: string }; Querystring: { type: string } }>(
    '/events/:id/status',
    { schema: { querystring: { type: 'object', required: ['type'], properties: { type: { type: 'string', pattern: EVENT_TYPE } } } } },
    async (request) => {
      const { partition, offset, timestamp } = await tributary.locate(request.query.type, request.params.id);
      return { event_id: request.params.id, topic: request.query.type, status: 'published', partition, offset, timestamp };
    },
  );

  app.post<{ Body: SubscriptionSpec }>('/subscriptions', { schema: { body: subscriptionBody } }, async (request, reply) => {
    const spec = request.body;
    if (subscriptions.has(spec.service_name)) throw new ApiError(409, 'SUBSCRIPTION_EXISTS', `${spec.service_name} is subscribed already: DELETE /subscriptions/${spec.service_name} first`);
    const subscription = new Subscription(spec, tributary, handlerFor(spec), { member: instance, sessionTimeoutMs, batch: 100 });
    subscriptions.set(spec.service_name, subscription);
    return reply.code(201).send(subscription.view());
  });
  app.get('/subscriptions', async () => ({ subscriptions: [...subscriptions.values()].map((subscription) => subscription.view()) }));
  app.delete<{ Params: { service: string } }>('/subscriptions/:service', async (request) => {
    const subscription = subscriptions.get(request.params.service);
    if (!subscription) throw new ApiError(404, 'SUBSCRIPTION_NOT_FOUND', `no subscription of ${request.params.service}`);
    subscriptions.delete(request.params.service);
    await subscription.stop();
    return subscription.view();
  });

  // Replays are Tributary's: it checks the request (the filter too) and runs them, resumably. The target is a
  // topic, made on first use like the event topics, or {"group": <service_name>}: the events go to that one
  // subscribed service again, through its group's replay topic, and to no other service.
  app.post<{ Body: { target?: { topic?: unknown } } | undefined }>('/replay', async (request, reply) => {
    const target = request.body?.target?.topic;
    if (typeof target === 'string') await tributary.ensureTopic(target, partitions);
    return reply.code(202).send(await tributary.startReplay(request.body ?? {}));
  });
  app.get<{ Params: { id: string } }>('/replay/:id', async (request) => tributary.replay(request.params.id));
  app.get('/replays', async () => tributary.replays());

  app.get('/stats', async () => {
    const cluster = await tributary.stats();
    const views = [...subscriptions.values()].map((subscription) => subscription.view());
    const sum = (field: 'delivered' | 'failed' | 'dead_lettered') => views.reduce((total, view) => total + view[field], 0);
    const attempts = sum('delivered') + sum('failed');
    return {
      total_events_published: cluster.published_total,
      total_events_consumed: cluster.consumed_total,
      published_per_second: cluster.published_per_second,
      consumed_per_second: cluster.consumed_per_second,
      active_topics: cluster.active_topics,
      active_subscriptions: views.filter((view) => view.status === 'running').length,
      error_rate: attempts === 0 ? 0 : sum('failed') / attempts,
      bus: { ...counts, delivered: sum('delivered'), failed: sum('failed'), dead_lettered: sum('dead_lettered'), subscriptions: views.length },
      tributary: cluster,
    };
  });

  app.addHook('preClose', async () => {
    await Promise.all([...subscriptions.values()].map((subscription) => subscription.stop()));
  });
  return app;
}

async function main(): Promise<void> {
  const timeoutMs = integer('DELIVERY_TIMEOUT_MS', 10_000, 1, 600_000);
  const instance = text('INSTANCE', `bus-${process.pid}`);
  if (!/^[a-zA-Z0-9._-]{1,100}$/.test(instance)) throw new Error(`INSTANCE must be 1 to 100 of a-z A-Z 0-9 . _ -, not ${JSON.stringify(instance)}`);
  const tributary = tributaryFromEnv();
  const app = await createBus({
    tributary,
    partitions: integer('PARTITIONS', 3, 1, 1_000),
    instance,
    sessionTimeoutMs: integer('SESSION_TIMEOUT_MS', 10_000, 1_000, 300_000),
    handlerFor: (spec) => httpHandler(spec.endpoint, timeoutMs),
  });
  const address = await app.listen({ port: integer('PORT', 8090, 0, 65_535), host: text('HOST', '127.0.0.1') });
  process.stdout.write(`event bus on ${address}\n`);
  // Subscriptions leave their groups on the way out: their partitions move to other instances at once.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
}

if (isMain(import.meta.url)) run('event bus', main);
