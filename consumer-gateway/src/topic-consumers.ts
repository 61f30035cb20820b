// GET /topics/:topic/consumers: who reads a topic, consumers (emails) and groups, each with its lag (records
// between its committed offsets and the end of every partition). Emails come from the topic's reader index
// (ConsumerStore.readers, checked against each consumer's own subscription); groups from the group index.
//
// Redis keys touched (core/keys.ts), read only: trib:topic:{<topicId>}:emails, each reader's
// trib:consumer:{<email>}:subscriptions and :offsets:<topic>, every group's keys (GroupStore.describe), and
// trib:{<topicId>:<p>}:state of every partition of the topic.
import type { FastifyPluginAsync } from 'fastify';
import {
  assertRedisReady,
  errorResponses,
  TopicConsumers,
  TopicParams,
  topicResource,
  type Storage,
  type TopicCache,
  type TopicConsumer,
} from '@tributary/core';
import type { GroupAdmin } from './groups/admin.js';
import { lagOf, liveOffsets, liveTopic } from './topic-lookup.js';

export async function topicConsumers(storage: Storage, topics: TopicCache, groups: GroupAdmin, name: string): Promise<TopicConsumers> {
  const topic = liveTopic(topics, name);
  assertRedisReady(storage.redis);
  const states = await liveOffsets(storage.logs, topic);
  const [emails, groupReaders] = await Promise.all([storage.consumers.readers(topic), groups.readersOf(topic, states)]);
  return {
    topic: topic.name,
    consumers: [
      ...emails.map(({ email, offsets }): TopicConsumer => ({
        type: 'email',
        name: email,
        lag: states.reduce((sum, state) => sum + lagOf(state, offsets[state.partition] === undefined ? undefined : Number(offsets[state.partition])), 0),
      })),
      ...groupReaders.map(({ group, members, lag }): TopicConsumer => ({ type: 'group', name: group, members, lag })),
    ],
  };
}

export const topicConsumerRoutes: FastifyPluginAsync<{ storage: Storage; topics: TopicCache; groups: GroupAdmin }> = async (app, { storage, topics, groups }) => {
  app.get<{ Params: TopicParams }>(
    '/topics/:topic/consumers',
    {
      config: { access: { operation: 'describe', resource: topicResource } },
      schema: {
        params: TopicParams,
        response: { 200: TopicConsumers, ...errorResponses },
      },
    },
    async (request) => topicConsumers(storage, topics, groups, request.params.topic),
  );
};
