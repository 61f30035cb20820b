// The routes that read a consumer's records beyond one key: GET /read/:email/:topic?partition=N reads one
// partition, GET /read/:email/:topic every partition of the topic (topic-read.ts). They take the options of
// the original GET /read/:email/:topic/:key (app.ts).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  checkPartition,
  ConsumerParams,
  errorResponses,
  ReadAnswer,
  TopicReadQuery,
  topicResource,
  withMessagesJson,
  type TopicCache,
} from '@tributary/core';
import { consumerEmail } from './email.js';
import { readResultJson, type PartitionReader } from './read.js';
import { liveTopic } from './topic-lookup.js';
import type { TopicReader } from './topic-read.js';

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
  app.get<{ Params: ConsumerParams; Querystring: TopicReadQuery }>(
    '/read/:email/:topic',
    {
      config: { access: { operation: 'consume', resource: topicResource } },
      schema: {
        params: ConsumerParams,
        querystring: TopicReadQuery,
        // 200 is JSON text built by read.ts / topic-read.ts: stored records are not re-serialized (the schema
        // documents it: one partition's read with ?partition=N, every partition's without).
        response: { 200: ReadAnswer, ...errorResponses },
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
