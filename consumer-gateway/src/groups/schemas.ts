// JSON schemas of the /groups routes: params, query and bodies (validated), and answers (serialized: a
// property missing here is dropped from the answer).
import {
  GROUP_NAME_PATTERN,
  groupDefaults,
  MEMBER_NAME_PATTERN,
  offsetSchema,
  partitionSchema,
  TOPIC_PATTERN_PATTERN,
  topicNameSchema,
} from '@tributary/core';
import { readQueryProperties } from '../read-routes.js';

const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;

export const groupNameSchema = { type: 'string', minLength: 1, maxLength: 249, pattern: GROUP_NAME_PATTERN } as const;
/** Member ids are a member name and a random suffix. */
export const memberIdSchema = { type: 'string', minLength: 1, maxLength: 160, pattern: '^[a-zA-Z0-9._-]+$' } as const;

export const groupParams = { type: 'object', required: ['group'], additionalProperties: false, properties: { group: groupNameSchema } } as const;
export const memberParams = {
  type: 'object',
  required: ['group', 'member'],
  additionalProperties: false,
  properties: { group: groupNameSchema, member: memberIdSchema },
} as const;

/** A dead-letter topic: a topic name, or a template where `{topic}` stands for the record's topic. */
const deadLetterTopicSchema = { type: ['string', 'null'], minLength: 1, maxLength: 249, pattern: '^([a-zA-Z0-9._-]|\\{topic\\})+$' } as const;

const configProperties = {
  max_deliveries: { type: 'integer', minimum: 1, maximum: 1_000 },
  retry_delay_ms: { type: 'integer', minimum: 0, maximum: 24 * 60 * 60 * 1000 },
  dead_letter_topic: deadLetterTopicSchema,
} as const;

export const joinBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    topics: { type: 'array', minItems: 1, maxItems: 1_000, items: topicNameSchema },
    pattern: { type: 'string', minLength: 1, maxLength: 249, pattern: TOPIC_PATTERN_PATTERN },
    member: { type: 'string', minLength: 1, maxLength: 128, pattern: MEMBER_NAME_PATTERN },
    session_timeout_ms: { type: 'integer', minimum: groupDefaults.minSessionTimeoutMs, maximum: groupDefaults.maxSessionTimeoutMs },
    from: { type: 'string', enum: ['earliest', 'latest'] },
    ...configProperties,
  },
} as const;

export const configBody = { type: 'object', additionalProperties: false, properties: configProperties } as const;

export const fetchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max: readQueryProperties.max,
    max_bytes: readQueryProperties.max_bytes,
    wait_ms: readQueryProperties.wait_ms,
    commit: { type: 'string', enum: ['auto', 'manual'], default: 'manual' },
  },
} as const;

const partitionOffset = {
  type: 'object',
  required: ['topic', 'partition', 'offset'],
  additionalProperties: false,
  properties: { topic: topicNameSchema, partition: partitionSchema, offset: offsetSchema },
} as const;

export const commitBody = {
  type: 'object',
  required: ['offsets'],
  additionalProperties: false,
  properties: { offsets: { type: 'array', minItems: 1, maxItems: 10_000, items: partitionOffset } },
} as const;

export const nackBody = {
  type: 'object',
  required: ['topic', 'partition', 'offset'],
  additionalProperties: false,
  properties: {
    ...partitionOffset.properties,
    delay_ms: configProperties.retry_delay_ms,
    reason: { type: 'string', maxLength: 1_024 },
  },
} as const;

export const resetBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    to: { type: 'string', enum: ['earliest', 'latest'] },
    timestamp: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    offsets: commitBody.properties.offsets,
    topics: { type: 'array', minItems: 1, maxItems: 1_000, items: topicNameSchema },
  },
} as const;

// ---- answers ----

const topicPartitions = { type: 'array', items: { type: 'object', properties: { topic: string, partitions: { type: 'array', items: integer } } } } as const;

export const memberView = {
  type: 'object',
  properties: {
    group: string,
    member_id: string,
    generation: integer,
    assignment: topicPartitions,
    pending: topicPartitions,
    heartbeat_interval_ms: integer,
  },
} as const;

const partitionOffsetAnswer = { type: 'object', properties: { topic: string, partition: integer, offset: integer } } as const;

export const commitAnswer = {
  type: 'object',
  properties: { group: string, member_id: string, offsets: { type: 'array', items: partitionOffsetAnswer } },
} as const;

export const nackAnswer = {
  type: 'object',
  properties: {
    topic: string,
    partition: integer,
    offset: integer,
    delivery_count: integer,
    outcome: string,
    retry_at: integer,
    dead_letter: partitionOffsetAnswer,
  },
} as const;

export const leaveAnswer = { type: 'object', properties: { group: string, member_id: string, left: { type: 'boolean' }, generation: integer } } as const;

const configAnswer = {
  type: 'object',
  properties: { max_deliveries: integer, retry_delay_ms: integer, dead_letter_topic: { type: ['string', 'null'] } },
} as const;

export const configViewAnswer = { type: 'object', properties: { group: string, config: configAnswer } } as const;

export const groupListAnswer = {
  type: 'object',
  properties: {
    groups: { type: 'array', items: { type: 'object', properties: { group: string, generation: integer, members: integer, state: string } } },
  },
} as const;

export const groupAnswer = {
  type: 'object',
  properties: {
    group: string,
    generation: integer,
    created_at: { type: ['string', 'null'] },
    config: configAnswer,
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          member_id: string,
          name: string,
          topics: { type: 'array', items: string },
          pattern: string,
          from: string,
          session_timeout_ms: integer,
          expires_in_ms: integer,
          joined_at: string,
          assignment: topicPartitions,
        },
      },
    },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          topic: string,
          partition: integer,
          assigned_to: { type: ['string', 'null'] },
          holder: { type: ['string', 'null'] },
          committed_offset: { type: ['integer', 'null'] },
          log_start_offset: integer,
          high_watermark: integer,
          lag: integer,
          nacked: integer,
        },
      },
    },
    lag: integer,
  },
} as const;

export const resetAnswer = { type: 'object', properties: { group: string, offsets: { type: 'array', items: partitionOffsetAnswer } } } as const;

export const deleteAnswer = { type: 'object', properties: { group: string, deleted: { type: 'boolean' } } } as const;
