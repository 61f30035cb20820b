// The routes that read a consumer's records beyond one key: GET /read/:email/:topic?partition=N reads one
// partition, GET /read/:email/:topic every partition of the topic (topic-read.ts). They take the options of
// the original GET /read/:email/:topic/:key (app.ts), whose query schema and limits live here.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { checkPartition, errorResponses, partitionSchema, topicNameSchema, topicResource, withMessagesJson, type TopicCache } from '@tributary/core';
import { consumerEmail, emailSchema } from './email.js';
import { readResultJson, type PartitionReader } from './read.js';
import { liveTopic } from './topic-lookup.js';
import type { TopicReader } from './topic-read.js';

export const readLimits = Object.freeze({
  defaultMax: 100, // records per read when the client does not say
  max: 10_000, // records per read, at most
  defaultMaxBytes: 1024 * 1024, // bytes of stored records per read when the client does not say (Kafka's max.partition.fetch.bytes)
  maxBytes: 16 * 1024 * 1024, // bytes per read, at most; a read always returns at least one record
  maxWaitMs: 30_000, // longest long poll
});

/** The options every read takes. */
export const readQueryProperties = {
  max: { type: 'integer', minimum: 1, maximum: readLimits.max, default: readLimits.defaultMax },
  max_bytes: { type: 'integer', minimum: 1, maximum: readLimits.maxBytes, default: readLimits.defaultMaxBytes },
  wait_ms: { type: 'integer', minimum: 0, maximum: readLimits.maxWaitMs, default: 0 },
  commit: { type: 'boolean', default: true },
} as const;

export interface ReadQuery {
  max: number;
  max_bytes: number;
  wait_ms: number;
  commit: boolean;
}

/** Aborted when the client goes away before its answer, so a long poll stops waiting for it. */
export function clientGone(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return controller.signal;
}

export interface ReadRouteDeps {
  topics: TopicCache;
  partitions: PartitionReader;
  topicReader: TopicReader;
}

export const readRoutes: FastifyPluginAsync<ReadRouteDeps> = async (app, { topics, partitions, topicReader }) => {
  app.get<{ Params: { email: string; topic: string }; Querystring: ReadQuery & { partition?: number } }>(
    '/read/:email/:topic',
    {
      config: { access: { operation: 'consume', resource: topicResource } },
      schema: {
        params: { type: 'object', required: ['email', 'topic'], additionalProperties: false, properties: { email: emailSchema, topic: topicNameSchema } },
        querystring: { type: 'object', additionalProperties: false, properties: { ...readQueryProperties, partition: partitionSchema } },
        // 200 is JSON text built by read.ts / topic-read.ts: stored records are not re-serialized.
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const { params, query } = request;
      const topic = liveTopic(topics, params.topic);
      const read = {
        email: consumerEmail(params.email),
        topic,
        max: query.max,
        maxBytes: query.max_bytes,
        commit: query.commit,
        waitMs: query.wait_ms,
        ...(query.wait_ms > 0 ? { signal: clientGone(request) } : {}),
      };
      reply.type('application/json; charset=utf-8');
      if (query.partition !== undefined) {
        checkPartition(topic, query.partition);
        return reply.send(readResultJson(await partitions.read({ ...read, partition: query.partition, labelPartition: true })));
      }
      const { messages, ...fields } = await topicReader.read(read);
      return reply.send(withMessagesJson(fields, messages));
    },
  );
};
