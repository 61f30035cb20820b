// Browsing: GET /topics/:topic/partitions/:partition/records?offset=N|timestamp=T&max=M reads a partition's
// records with no consumer state at all: nothing is subscribed, committed or moved (`tributary tail`).
//
// Two round trips: the partition's state (log start, next offset), then LogStore.readRecords from the
// asked-for offset (or the first record at or after the time), at most `max` records and about `max_bytes`.
// The answer says where the next browse starts (next_offset).
//
// Redis keys touched (core/keys.ts), read only: trib:{<topicId>:<p>}:state, :segments (a time), :seg:<base>.
import type { FastifyPluginAsync } from 'fastify';
import {
  assertRedisReady,
  checkPartition,
  BrowseAnswer,
  BrowseParams,
  BrowseQuery,
  errorResponses,
  messageJson,
  topicNotFound,
  topicResource,
  TributaryError,
  withMessagesJson,
  type LogStore,
  type Topic,
  type TopicCache,
} from '@tributary/core';

export interface BrowseRequest {
  /** First offset to return; below the log start, the log start. Default: the log start. */
  offset?: number;
  /** Instead of an offset: the first record appended at or after this time (ms). */
  timestamp?: number;
  max: number;
  maxBytes: number;
}

export interface BrowseResult {
  topic: string;
  partition: number;
  log_start_offset: number;
  high_watermark: number;
  /** Where the next browse starts: past the last record returned. */
  next_offset: number;
  /** The asked-for offset was below the log start (retention dropped those records). */
  offset_reset?: { from: number; to: number };
  /** Each message as JSON text: {partition, offset, timestamp, key, headers, value}. */
  messages: string[];
}

export async function browsePartition(logs: LogStore, topic: Topic, partition: number, request: BrowseRequest): Promise<BrowseResult> {
  checkPartition(topic, partition);
  assertRedisReady(logs.redis);
  const state = await logs.offsets(topic, partition);
  if (state.deleted) throw topicNotFound(topic.name);
  const { logStartOffset, nextOffset } = state;
  const asked = request.timestamp !== undefined ? await logs.offsetForTime(topic, state, request.timestamp) : (request.offset ?? logStartOffset);
  if (asked > nextOffset) {
    throw new TributaryError(
      'INVALID_OFFSET',
      `offset ${asked} is past the end of topic "${topic.name}" partition ${partition}: its next offset is ${nextOffset}`,
      { topic: topic.name, partition },
    );
  }
  const from = Math.max(asked, logStartOffset);
  const { first, entries } = await logs.readRecords(topic, partition, from, Math.min(from + request.max, nextOffset), request.maxBytes);
  const prefix = `"partition":${partition},`;
  return {
    topic: topic.name,
    partition,
    log_start_offset: logStartOffset,
    high_watermark: nextOffset,
    next_offset: first + entries.length,
    ...(asked < first && entries.length > 0 ? { offset_reset: { from: asked, to: first } } : {}),
    messages: entries.map((entry, i) => messageJson(entry, first + i, prefix)),
  };
}

export const browseRoutes: FastifyPluginAsync<{ logs: LogStore; topics: TopicCache }> = async (app, { logs, topics }) => {
  app.get<{ Params: BrowseParams; Querystring: BrowseQuery }>(
    '/topics/:topic/partitions/:partition/records',
    {
      config: { access: { operation: 'consume', resource: topicResource } },
      schema: {
        params: BrowseParams,
        querystring: BrowseQuery,
        // 200 is JSON text built here: stored records are spliced in, not re-serialized (the schema documents it).
        response: { 200: BrowseAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { params, query } = request;
      if (query.offset !== undefined && query.timestamp !== undefined) {
        throw new TributaryError('INVALID_REQUEST', 'send offset or timestamp, not both');
      }
      const topic = topics.get(params.topic);
      if (!topic) throw topicNotFound(params.topic);
      const { messages, ...fields } = await browsePartition(logs, topic, params.partition, {
        ...(query.offset === undefined ? {} : { offset: query.offset }),
        ...(query.timestamp === undefined ? {} : { timestamp: query.timestamp }),
        max: query.max,
        maxBytes: query.max_bytes,
      });
      return reply.type('application/json; charset=utf-8').send(withMessagesJson(fields, messages));
    },
  );
};
