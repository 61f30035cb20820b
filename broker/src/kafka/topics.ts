// CreateTopics and DeleteTopics, through the same TopicAdmin as the HTTP routes (ZooKeeper is the authority
// on which topics exist; storage is made and marked in Redis exactly as for create_topic / delete_topic).
//
// Tributary keeps no replicas of its own (Redis persists), so a replication factor is accepted and ignored;
// -1 partitions (the broker's default, v4+) is 1. Topic configs Kafka clients may send map onto Tributary's:
// retention.ms -> retention_ms, max.message.bytes -> max_record_bytes; any other name is INVALID_CONFIG.
import { topicNameProblem, TributaryError, type Config, type TopicCache } from '@tributary/core';
import { KafkaError, type CreateTopics, type DeleteTopics, type RequestOf, type ResponseOf } from '@tributary/kafka';
import type { TopicAdmin, TopicConfigInput } from '../topic-admin.js';
import { errorMessage, kafkaErrorCode } from './errors.js';
import type { RequestContext } from './handlers.js';
import { topicResource, type KafkaAccess } from './sasl.js';

const notAllowed = (name: string) => ({ errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: `admin on topic:${name} is needed` });

const CONFIG_NAMES: Record<string, 'retention_ms' | 'max_record_bytes'> = {
  'retention.ms': 'retention_ms',
  'max.message.bytes': 'max_record_bytes',
};

type CreateRequest = RequestOf<typeof CreateTopics>;
type CreateResult = ResponseOf<typeof CreateTopics>['topics'][number];

function topicConfig(configs: CreateRequest['topics'][number]['configs']): TopicConfigInput {
  const input: TopicConfigInput = {};
  for (const { name, value } of configs) {
    const field = CONFIG_NAMES[name];
    const number = Number(value);
    if (!field) throw new TributaryError('INVALID_TOPIC_CONFIG', `topic config "${name}" is not supported (${Object.keys(CONFIG_NAMES).join(', ')} are)`);
    if (value === null || !Number.isInteger(number)) throw new TributaryError('INVALID_TOPIC_CONFIG', `topic config "${name}" must be an integer`);
    input[field] = number;
  }
  return input;
}

export function createTopics(admin: TopicAdmin, topics: TopicCache, config: Config, access: KafkaAccess) {
  return async (request: CreateRequest, { session }: RequestContext): Promise<ResponseOf<typeof CreateTopics>> => {
    const results = await Promise.all(
      request.topics.map(async ({ name, numPartitions, assignments, configs }): Promise<CreateResult> => {
        if (!access.allowed(session, 'admin', topicResource(name))) return { name, ...notAllowed(name) };
        const partitions = numPartitions === -1 ? Math.max(assignments.length, 1) : numPartitions;
        try {
          const input = topicConfig(configs);
          if (request.validateOnly) {
            const problem = topicNameProblem(name);
            if (problem) throw new TributaryError('INVALID_TOPIC_NAME', problem);
            if (partitions < 1 || partitions > config.maxPartitions) throw new TributaryError('INVALID_PARTITION_COUNT', `partitions must be 1 to ${config.maxPartitions}`);
            if (topics.get(name)) throw new TributaryError('TOPIC_EXISTS', `topic "${name}" already exists`);
          } else {
            await admin.create(name, partitions, input);
          }
          return { name, errorCode: KafkaError.NONE, errorMessage: null };
        } catch (err) {
          return { name, errorCode: kafkaErrorCode(err), errorMessage: errorMessage(err) };
        }
      }),
    );
    return { throttleTimeMs: 0, topics: results };
  };
}

export function deleteTopics(admin: TopicAdmin, access: KafkaAccess) {
  return async (request: RequestOf<typeof DeleteTopics>, { session }: RequestContext): Promise<ResponseOf<typeof DeleteTopics>> => {
    const responses = await Promise.all(
      request.topicNames.map(async (name) => {
        if (!access.allowed(session, 'admin', topicResource(name))) return { name, errorCode: notAllowed(name).errorCode };
        try {
          await admin.delete(name);
          return { name, errorCode: KafkaError.NONE };
        } catch (err) {
          return { name, errorCode: kafkaErrorCode(err) };
        }
      }),
    );
    return { throttleTimeMs: 0, responses };
  };
}
