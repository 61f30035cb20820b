// The consumer gateway's HTTP routes. Handlers validate (JSON schema) and delegate: to Subscriptions,
// ConsumerOffsets and PartitionReader. Emails are lowercased before use (email.ts). Reads of a partition or a
// whole topic (read-routes.ts), consumer groups (groups/routes.ts) and a topic's consumers
// (topic-consumers.ts) are plugins of their own. buildGatewayApp never listens; server.ts does.
import type { FastifyInstance } from 'fastify';
import {
  clusterResource,
  createHttpServer,
  errorResponses,
  formatValidationErrors,
  keySchema,
  offsetSchema,
  partitionFor,
  partitionSchema,
  redisHealth,
  registerHealthRoutes,
  registerMetricsRoute,
  subscriberHealth,
  TributaryError,
  topicNameSchema,
  topicResource,
  zooKeeperHealth,
  type AccessControl,
  type Config,
  type Logger,
  type RedisClient,
  type ServiceMetrics,
  type Storage,
  type TopicCache,
  type ZooKeeper,
} from '@tributary/core';
import { consumerEmail, emailSchema, invalidEmail } from './email.js';
import { createGroups, groupRoutes } from './groups/index.js';
import { registerGatewayMetrics } from './metrics.js';
import { ConsumerOffsets, type SeekTarget } from './offsets.js';
import { PartitionReader, readResultJson } from './read.js';
import { clientGone, readQueryProperties, readRoutes, type ReadQuery } from './read-routes.js';
import { Subscriptions, type StartFrom } from './subscriptions.js';
import { topicConsumerRoutes } from './topic-consumers.js';
import { liveTopic } from './topic-lookup.js';
import { TopicReader } from './topic-read.js';
import type { AppendWaiters } from './waiters.js';

export interface GatewayDeps {
  config: Config;
  redis: RedisClient;
  storage: Storage;
  /** The one client in subscriber mode, shared by every long poll (waiters.ts). */
  subscriber: RedisClient;
  zk: ZooKeeper;
  topics: TopicCache;
  waiters: AppendWaiters;
  logger: Logger;
  /** API keys, ACLs and quotas; required with AUTH=on. */
  access?: AccessControl;
  /** GET /metrics and the counts behind it (core/metrics.ts); without it there is no /metrics. */
  metrics?: ServiceMetrics;
}

export { readLimits } from './read-routes.js';

/** Bodies here are a few small fields; anything bigger is a mistake, refused early. */
const BODY_LIMIT_BYTES = 4096;

/** Everything a consumer does to a topic needs consume on it. */
const consumeTopic = { access: { operation: 'consume', resource: topicResource } } as const;

const consumerProperties = { email: emailSchema, topic: topicNameSchema } as const;
const consumerParams = {
  type: 'object',
  required: ['email', 'topic'],
  additionalProperties: false,
  properties: consumerProperties,
} as const;

/** Every answer names the consumer and topic it is about. */
const consumerTopicProperties = { email: { type: 'string' }, topic: { type: 'string' } } as const;

const positionSchema = {
  type: 'object',
  properties: { partition: { type: 'integer' }, offset: { type: 'integer' } },
} as const;

const subscriptionsSchema = {
  type: 'object',
  properties: {
    email: { type: 'string' },
    subscriptions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          topic: { type: 'string' },
          topic_id: { type: 'string' },
          lag: { type: 'integer' },
          partitions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                partition: { type: 'integer' },
                committed_offset: { type: 'integer' },
                log_start_offset: { type: 'integer' },
                high_watermark: { type: 'integer' },
                lag: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
} as const;

const subscribeResultSchema = {
  type: 'object',
  properties: { ...consumerTopicProperties, subscribed: { type: 'boolean' }, created: { type: 'boolean' } },
} as const;

interface ConsumerParams {
  email: string;
  topic: string;
}

interface SeekBody {
  to?: 'earliest' | 'latest';
  offset?: number;
  timestamp?: number;
  partition?: number;
}

export function buildGatewayApp(deps: GatewayDeps): FastifyInstance {
  const { config, redis, storage, subscriber, zk, topics, waiters } = deps;
  const { metrics } = deps;
  const app = createHttpServer({ config, logger: deps.logger, access: deps.access, metrics });
  // The email is part of Redis keys: a bad one gets its own code and an explanation of the rule.
  app.setSchemaErrorFormatter((validationErrors, dataVar) =>
    dataVar === 'params' && validationErrors[0]?.instancePath === '/email'
      ? invalidEmail()
      : formatValidationErrors(validationErrors, dataVar),
  );

  const subscriptions = new Subscriptions(storage, topics);
  const offsets = new ConsumerOffsets(storage, topics);
  const reader = new PartitionReader(storage, waiters, metrics);
  app.register(readRoutes, { topics, partitions: reader, topicReader: new TopicReader(storage, waiters, reader) });
  const groups = createGroups({ config, storage, zk, topics, waiters, logger: deps.logger });
  app.register(groupRoutes, { groups });
  app.register(topicConsumerRoutes, { storage, topics, groups: groups.admin });
  if (metrics) {
    registerMetricsRoute(app, metrics);
    registerGatewayMetrics(metrics, { waiters, storage, groups: groups.admin, maxGroups: config.metricsMaxTopics });
  }

  app.post<{ Params: ConsumerParams; Querystring: { from: StartFrom } }>(
    '/subscribe/:email/:topic',
    {
      config: consumeTopic,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        params: consumerParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { from: { type: 'string', enum: ['earliest', 'latest'], default: 'earliest' } },
        },
        response: { 200: subscribeResultSchema, 201: subscribeResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const email = consumerEmail(request.params.email);
      const { topic } = request.params;
      const created = await subscriptions.subscribe(email, topic, request.query.from);
      return reply.code(created ? 201 : 200).send({ email, topic, subscribed: true, created });
    },
  );

  app.post<{ Params: ConsumerParams }>(
    '/unsubscribe/:email/:topic',
    {
      config: consumeTopic,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: { params: consumerParams, response: { 200: subscribeResultSchema, ...errorResponses } },
    },
    async (request) => {
      const email = consumerEmail(request.params.email);
      const { topic } = request.params;
      await subscriptions.unsubscribe(email, topic);
      return { email, topic, subscribed: false };
    },
  );

  app.get<{ Params: ConsumerParams & { key: string }; Querystring: ReadQuery & { only_key: boolean } }>(
    '/read/:email/:topic/:key',
    {
      config: consumeTopic,
      schema: {
        params: {
          type: 'object',
          required: ['email', 'topic', 'key'],
          additionalProperties: false,
          properties: { ...consumerProperties, key: keySchema },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...readQueryProperties, only_key: { type: 'boolean', default: false } },
        },
        // 200 is JSON text built by read.ts (readResultJson): stored records are not re-serialized.
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const { params, query } = request;
      const topic = liveTopic(topics, params.topic);
      const result = await reader.read({
        email: consumerEmail(params.email),
        topic,
        partition: partitionFor(params.key, topic.partitions),
        key: params.key,
        max: query.max,
        maxBytes: query.max_bytes,
        commit: query.commit,
        onlyKey: query.only_key,
        waitMs: query.wait_ms,
        ...(query.wait_ms > 0 ? { signal: clientGone(request) } : {}),
      });
      return reply.type('application/json; charset=utf-8').send(readResultJson(result));
    },
  );

  app.post<{ Params: ConsumerParams & { partition: number }; Body: { offset: number } }>(
    '/commit/:email/:topic/:partition',
    {
      config: consumeTopic,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        params: {
          type: 'object',
          required: ['email', 'topic', 'partition'],
          additionalProperties: false,
          properties: { ...consumerProperties, partition: partitionSchema },
        },
        body: { type: 'object', required: ['offset'], additionalProperties: false, properties: { offset: offsetSchema } },
        response: {
          200: { type: 'object', properties: { ...consumerTopicProperties, ...positionSchema.properties } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const email = consumerEmail(request.params.email);
      const { topic, partition } = request.params;
      await offsets.commit(email, topic, partition, request.body.offset);
      return { email, topic, partition, offset: request.body.offset };
    },
  );

  app.post<{ Params: ConsumerParams; Body: SeekBody | undefined }>(
    '/seek/:email/:topic',
    {
      config: consumeTopic,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        params: consumerParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            to: { type: 'string', enum: ['earliest', 'latest'] },
            offset: offsetSchema,
            timestamp: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            partition: partitionSchema,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { ...consumerTopicProperties, partitions: { type: 'array', items: positionSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const email = consumerEmail(request.params.email);
      const { topic } = request.params;
      const body = request.body ?? {};
      const positions = await offsets.seek(email, topic, seekTarget(body), body.partition);
      return { email, topic, partitions: positions };
    },
  );

  app.get<{ Params: { email: string } }>(
    '/subscriptions/:email',
    {
      // Lists a consumer's subscriptions across topics: not one topic's business.
      config: { access: { operation: 'describe', resource: clusterResource } },
      schema: {
        params: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: emailSchema } },
        response: { 200: subscriptionsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const email = consumerEmail(request.params.email);
      return { email, subscriptions: await subscriptions.list(email) };
    },
  );

  registerHealthRoutes(app, {
    redis: () => redisHealth(redis, config.redisTimeoutMs),
    // Long polls wait on this connection: a frozen Redis would leave them hanging.
    redis_subscriber: () => subscriberHealth(subscriber, config.redisTimeoutMs),
    zookeeper: () => zooKeeperHealth(zk, topics),
  });

  return app;
}

function seekTarget({ to, offset, timestamp }: SeekBody): SeekTarget {
  const given = [to, offset, timestamp].filter((field) => field !== undefined).length;
  if (given !== 1) {
    throw new TributaryError(
      'INVALID_REQUEST',
      'send exactly one of {"to": "earliest" | "latest"}, {"offset": n} or {"timestamp": ms}, optionally with "partition"',
    );
  }
  if (to !== undefined) return { to };
  if (offset !== undefined) return { offset };
  return { timestamp: timestamp! };
}
