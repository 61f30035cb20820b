// The broker's HTTP routes. Handlers validate (JSON schema) and delegate: to TopicAdmin for topics and to
// PartitionWriter for writes. buildBrokerApp never listens; server.ts does.
import type { FastifyInstance } from 'fastify';
import {
  assertRedisReady,
  clusterResource,
  createHttpServer,
  errorBody,
  errorResponses,
  redisAddress,
  redisHealth,
  registerAccessRoutes,
  registerHealthRoutes,
  registerMetricsRoute,
  registerStatsRoute,
  TributaryError,
  topicConfigDefaults,
  topicNotFound,
  topicResource,
  zooKeeperHealth,
  type AccessControl,
  type Config,
  type Logger,
  type RecordInput,
  type RedisClient,
  type ServiceMetrics,
  type Storage,
  type TopicCache,
  type ZooKeeper,
  type ZooKeeperPaths,
  ClusterInfo,
  PartialWriteAnswer,
  RecordIdLocation,
  RecordIdParams,
  TopicAlterBody,
  TopicAlterResult,
  TopicConfigBody,
  TopicDeleted,
  TopicDescription,
  TopicList,
  TopicParams,
  WriteAnswer,
  writeBody,
  type WriteBody,
} from '@tributary/core';
import type { Controller } from './controller.js';
import { browseRoutes } from './browse.js';
import { consoleRoutes } from './console.js';
import type { BrokerRegistry } from './registry.js';
import { TopicAdmin, type TopicConfigInput } from './topic-admin.js';
import { replayRoutes } from './replay.js';
import { isStored, PartitionWriter } from './write.js';

export interface BrokerDeps {
  config: Config;
  redis: RedisClient;
  storage: Storage;
  zk: ZooKeeper;
  paths: ZooKeeperPaths;
  topics: TopicCache;
  registry: BrokerRegistry;
  controller: Controller;
  logger: Logger;
  /** API keys, ACLs and quotas; without it the key and ACL routes are absent and AUTH=on cannot start. */
  access?: AccessControl;
  /** GET /metrics and the counts behind it (core/metrics.ts); without it there is no /metrics. */
  metrics?: ServiceMetrics;
}

export function buildBrokerApp(deps: BrokerDeps): FastifyInstance {
  const { config, redis, storage, zk, topics } = deps;
  const app = createHttpServer({ config, logger: deps.logger, access: deps.access, metrics: deps.metrics });
  const admin = new TopicAdmin({ ...deps, logs: storage.logs });
  const writer = new PartitionWriter(storage.logs, deps.metrics);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);
  registerStatsRoute(app, { redis, topics });
  app.register(replayRoutes, { replays: storage.replays, logs: storage.logs, topics, groups: storage.groups, admin, maxBodyBytes: config.maxBodyBytes });

  // Path parameters are checked by TopicAdmin, whose messages say exactly which rule was broken.
  app.post<{ Params: { topic: string; num_partitions: string }; Body: TopicConfigInput | undefined }>(
    '/create_topic/:topic/:num_partitions',
    {
      config: { access: { operation: 'admin', resource: topicResource } },
      schema: {
        // No body at all is no config.
        body: { ...TopicConfigBody, type: ['object', 'null'] },
        response: { 201: TopicDescription, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { topic, num_partitions } = request.params;
      const partitions = /^\d{1,9}$/.test(num_partitions) ? Number(num_partitions) : Number.NaN;
      const description = await admin.create(topic, partitions, request.body ?? {}, num_partitions);
      return reply.code(201).send(description);
    },
  );

  app.delete<{ Params: { topic: string } }>(
    '/delete_topic/:topic',
    { config: { access: { operation: 'admin', resource: topicResource } }, schema: { response: { 200: TopicDeleted, ...errorResponses } } },
    async (request) => admin.delete(request.params.topic),
  );

  app.post<{ Params: TopicParams; Body: WriteBody }>(
    '/write/:topic',
    {
      config: { opaqueJsonBody: true, access: { operation: 'produce', resource: topicResource } },
      bodyLimit: config.maxBodyBytes,
      schema: {
        params: TopicParams,
        body: writeBody(config.maxBatchRecords),
        response: { 200: WriteAnswer, ...errorResponses, 503: PartialWriteAnswer },
      },
    },
    async (request, reply) => {
      const name = request.params.topic;
      const body = request.body;
      const topic = topics.get(name);
      if (!topic) throw topicNotFound(name);
      if (body.records) {
        if (body.key !== undefined || 'value' in body || body.headers !== undefined) {
          throw new TributaryError('INVALID_REQUEST', 'send either {key, value, headers} or {records: [...]}, not both');
        }
        const results = await writer.write(topic, body.records);
        if (results.every(isStored)) return { topic: name, results };
        // A partition that refuses as deleted means this topic id is being deleted: what the other partitions
        // stored is as unreachable as the rest (I4), so offsets for it would not be true.
        if (results.some((result) => !isStored(result) && result.code === 'TOPIC_NOT_FOUND')) throw topicNotFound(name);
        const failed = results.filter((result) => !isStored(result)).length;
        const message = `${results.length - failed} of ${results.length} records were stored and ${failed} were not: retry only those whose result has a code`;
        return reply.code(503).header('retry-after', '1').send({ ...errorBody('PARTIAL_WRITE', message), topic: name, results });
      }
      if (body.key === undefined) throw new TributaryError('INVALID_REQUEST', 'body.key is required');
      if (!('value' in body)) throw new TributaryError('INVALID_REQUEST', 'body.value is required (null is a value)');
      const [result] = await writer.write(topic, [body as RecordInput]);
      return { topic: name, ...result };
    },
  );

  app.get('/topics', { config: { access: { operation: 'describe', resource: clusterResource } }, schema: { response: { 200: TopicList, ...errorResponses } } }, async () => ({
    topics: await admin.list(),
  }));

  app.get<{ Params: TopicParams }>(
    '/topics/:topic',
    {
      config: { access: { operation: 'describe', resource: topicResource } },
      schema: { params: TopicParams, response: { 200: TopicDescription, ...errorResponses } },
    },
    async (request) => admin.describe(request.params.topic),
  );

  // Config changes and partitions only upwards; TopicAdmin checks the values, with messages naming the rule.
  app.patch<{ Params: TopicParams; Body: TopicAlterBody }>(
    '/topics/:topic',
    {
      config: { access: { operation: 'admin', resource: topicResource } },
      schema: {
        params: TopicParams,
        body: TopicAlterBody,
        response: { 200: TopicAlterResult, ...errorResponses },
      },
    },
    async (request) => admin.alter(request.params.topic, request.body),
  );

  // "Did my write land?": where the record with this id went, while the id is inside the dedup window.
  app.get<{ Params: RecordIdParams }>(
    '/topics/:topic/ids/:id',
    {
      config: { access: { operation: 'describe', resource: topicResource } },
      schema: {
        params: RecordIdParams,
        response: { 200: RecordIdLocation, ...errorResponses },
      },
    },
    async (request) => {
      const { topic: name, id } = request.params;
      const topic = topics.get(name);
      if (!topic) throw topicNotFound(name);
      assertRedisReady(redis);
      const found = await storage.logs.findRecordId(topic, id);
      if (!found) {
        const window = topic.config.dedupWindowMs ?? topicConfigDefaults.dedupWindowMs;
        throw new TributaryError(
          'RECORD_ID_NOT_FOUND',
          `no record with id "${id}" was written to topic "${name}" in the last ${window} ms (its dedup window)`,
          { topic: name },
        );
      }
      return { topic: name, id, ...found };
    },
  );

  // Brokers and the controller come from watched copies (registry.ts); only Redis is asked, with a PING.
  app.register(browseRoutes, { logs: storage.logs, topics });
  app.register(consoleRoutes, { config });

  app.get('/cluster', { config: { access: { operation: 'describe', resource: clusterResource } }, schema: { response: { 200: ClusterInfo, ...errorResponses } } }, async () => ({
    brokers: deps.registry.brokers(),
    controller: deps.registry.controller(),
    this_broker: { id: config.instanceId, controller: deps.controller.active },
    redis: { address: redisAddress(config), state: await redisHealth(redis, config.redisTimeoutMs) },
    zookeeper: { address: config.zookeeperHost, root: config.zookeeperRoot, state: zk.state },
  }));

  if (deps.access) registerAccessRoutes(app, deps.access);

  registerHealthRoutes(app, {
    redis: () => redisHealth(redis, config.redisTimeoutMs),
    zookeeper: () => zooKeeperHealth(zk, topics),
  });

  return app;
}
