// The consumer gateway's HTTP routes. Handlers validate (JSON schema) and delegate: to Subscriptions,
// ConsumerOffsets and PartitionReader. Emails are lowercased before use (email.ts). Reads of a partition or a
// whole topic (read-routes.ts), consumer groups (groups/routes.ts) and a topic's consumers
// (topic-consumers.ts) are plugins of their own. buildGatewayApp never listens; server.ts does.
import type { FastifyInstance } from 'fastify';
import {
  clusterResource,
  createHttpServer,
  CommitAnswer,
  CommitBody,
  CommitParams,
  ConsumerParams,
  EmailParams,
  errorResponses,
  formatValidationErrors,
  KeyReadParams,
  KeyReadQuery,
  PartitionReadAnswer,
  partitionFor,
  redisHealth,
  registerHealthRoutes,
  registerMetricsRoute,
  registerStatsRoute,
  subscriberHealth,
  SeekAnswer,
  SeekBody,
  SubscribeAnswer,
  SubscribeQuery,
  SubscriptionList,
  TributaryError,
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
import { consumerEmail, invalidEmail } from './email.js';
import { createGroups, groupRoutes } from './groups/index.js';
import { registerGatewayMetrics } from './metrics.js';
import { ConsumerOffsets, type SeekTarget } from './offsets.js';
import { PartitionReader, readResultJson } from './read.js';
import { clientGone, readRoutes } from './read-routes.js';
import { Subscriptions } from './subscriptions.js';
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

export { readLimits } from '@tributary/core';

/** Bodies here are a few small fields; anything bigger is a mistake, refused early. */
const BODY_LIMIT_BYTES = 4096;

/** Everything a consumer does to a topic needs consume on it. */
const consumeTopic = { access: { operation: 'consume', resource: topicResource } } as const;

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
  const groups = createGroups({ config, storage, zk, topics, waiters, logger: deps.logger, metrics });
  app.register(groupRoutes, { groups });
  app.register(topicConsumerRoutes, { storage, topics, groups: groups.admin });
  registerStatsRoute(app, { redis: storage.redis, topics });
  if (metrics) {
    registerMetricsRoute(app, metrics);
    registerGatewayMetrics(metrics, { waiters, storage, groups: groups.admin, maxGroups: config.metricsMaxTopics });
  }

  app.post<{ Params: ConsumerParams; Querystring: SubscribeQuery }>(
    '/subscribe/:email/:topic',
    {
      config: consumeTopic,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        params: ConsumerParams,
        querystring: SubscribeQuery,
        response: { 200: SubscribeAnswer, 201: SubscribeAnswer, ...errorResponses },
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
      schema: { params: ConsumerParams, response: { 200: SubscribeAnswer, ...errorResponses } },
    },
    async (request) => {
      const email = consumerEmail(request.params.email);
      const { topic } = request.params;
      await subscriptions.unsubscribe(email, topic);
      return { email, topic, subscribed: false };
    },
  );

  app.get<{ Params: KeyReadParams; Querystring: KeyReadQuery }>(
    '/read/:email/:topic/:key',
    {
      config: consumeTopic,
      schema: {
        params: KeyReadParams,
        querystring: KeyReadQuery,
        // 200 is JSON text built by read.ts (readResultJson): stored records are not re-serialized (the schema
        // documents it).
        response: { 200: PartitionReadAnswer, ...errorResponses },
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

  app.post<{ Params: CommitParams; Body: CommitBody }>(
    '/commit/:email/:topic/:partition',
    {
      config: consumeTopic,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        params: CommitParams,
        body: CommitBody,
        response: { 200: CommitAnswer, ...errorResponses },
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
        params: ConsumerParams,
        body: SeekBody,
        response: { 200: SeekAnswer, ...errorResponses },
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

  app.get<{ Params: EmailParams }>(
    '/subscriptions/:email',
    {
      // Lists a consumer's subscriptions across topics: not one topic's business.
      config: { access: { operation: 'describe', resource: clusterResource } },
      schema: {
        params: EmailParams,
        response: { 200: SubscriptionList, ...errorResponses },
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
