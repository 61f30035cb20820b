// The email consumers' routes (the gateway): subscribe, read, commit, seek, list subscriptions, and a topic's
// consumers. A consumer is named by an email address, which is part of its Redis keys, hence the strict
// pattern (the gateway's email.ts says why each rule is there).
import { Type, type Static } from '@sinclair/typebox';
import { Message, Offset, OffsetReset, PartitionNumber, RecordKey, EarliestOrLatest, StringEnum, TopicName, type Defaulted } from './common.js';

const ATOM = "[A-Za-z0-9!#$%&'+/=^_`|~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
export const EMAIL_PATTERN = `^(?=[^@]{1,64}@)${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`;
export const EMAIL_MAX_LENGTH = 254;

/** An email path parameter; the gateway turns its failures into INVALID_EMAIL. */
export const Email = Type.String({ minLength: 3, maxLength: EMAIL_MAX_LENGTH, pattern: EMAIL_PATTERN });

export const readLimits = Object.freeze({
  defaultMax: 100, // records per read when the client does not say
  max: 10_000, // records per read, at most
  defaultMaxBytes: 1024 * 1024, // bytes of stored records per read when the client does not say (Kafka's max.partition.fetch.bytes)
  maxBytes: 16 * 1024 * 1024, // bytes per read, at most; a read always returns at least one record
  maxWaitMs: 30_000, // longest long poll
});

export const ConsumerParams = Type.Object({ email: Email, topic: TopicName }, { additionalProperties: false });
export type ConsumerParams = Static<typeof ConsumerParams>;

export const SubscribeQuery = Type.Object(
  { from: Type.Optional(StringEnum(['earliest', 'latest'], { default: 'earliest' })) },
  { additionalProperties: false },
);
export type SubscribeQuery = Defaulted<Static<typeof SubscribeQuery>, 'from'>;

/** 201 subscribed now, 200 already subscribed (or unsubscribed: `subscribed: false`). */
export const SubscribeAnswer = Type.Object({
  email: Type.String(),
  topic: Type.String(),
  subscribed: Type.Boolean(),
  created: Type.Optional(Type.Boolean()),
});
export type SubscribeAnswer = Static<typeof SubscribeAnswer>;

/** The options every read takes (group fetches too: groups.ts). */
export const ReadOptions = Type.Object({
  max: Type.Optional(Type.Integer({ minimum: 1, maximum: readLimits.max, default: readLimits.defaultMax })),
  max_bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: readLimits.maxBytes, default: readLimits.defaultMaxBytes })),
  wait_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: readLimits.maxWaitMs, default: 0, description: 'long poll: wait up to this long for a record' })),
  commit: Type.Optional(Type.Boolean({ default: true, description: 'move the consumer’s offset past what is read' })),
});
export type ReadQuery = Defaulted<Static<typeof ReadOptions>, 'max' | 'max_bytes' | 'wait_ms' | 'commit'>;

export const KeyReadParams = Type.Object({ email: Email, topic: TopicName, key: RecordKey }, { additionalProperties: false });
export type KeyReadParams = Static<typeof KeyReadParams>;

export const KeyReadQuery = Type.Object(
  { ...ReadOptions.properties, only_key: Type.Optional(Type.Boolean({ default: false, description: 'answer only records with this key' })) },
  { additionalProperties: false },
);
export type KeyReadQuery = ReadQuery & Defaulted<Static<typeof KeyReadQuery>, 'only_key'>;

export const TopicReadQuery = Type.Object(
  { ...ReadOptions.properties, partition: Type.Optional(PartitionNumber) },
  { additionalProperties: false },
);
export type TopicReadQuery = ReadQuery & Static<typeof TopicReadQuery>;

/** A read's progress on one partition. */
export const PartitionProgress = Type.Object({
  partition: Type.Integer(),
  start_offset: Type.Integer({ description: 'first offset scanned (after any reset)' }),
  next_offset: Type.Integer({ description: 'where the next read starts' }),
  log_start_offset: Type.Integer(),
  high_watermark: Type.Integer(),
  lag: Type.Integer(),
  offset_reset: Type.Optional(Type.Object(OffsetReset.properties, { description: 'the stored offset was below the log start and was moved' })),
});
export type PartitionProgress = Static<typeof PartitionProgress>;

/** A read of one partition (by key, or ?partition=N). JSON text built by the gateway: records are not re-serialized. */
export const PartitionReadAnswer = Type.Object({
  email: Type.String(),
  topic: Type.String(),
  key: Type.Optional(Type.String()),
  ...PartitionProgress.properties,
  committed: Type.Boolean(),
  messages: Type.Array(Message),
});
export type PartitionReadAnswer = Static<typeof PartitionReadAnswer>;

/** A read of every partition, fairly shared. */
export const TopicReadAnswer = Type.Object({
  email: Type.String(),
  topic: Type.String(),
  committed: Type.Boolean(),
  lag: Type.Integer({ description: 'records left to read over every partition, after this read' }),
  partitions: Type.Array(PartitionProgress),
  messages: Type.Array(Message),
});
export type TopicReadAnswer = Static<typeof TopicReadAnswer>;

/** GET /read/:email/:topic: one partition's read with ?partition=N, every partition's without. */
export const ReadAnswer = Type.Union([TopicReadAnswer, PartitionReadAnswer]);

export const CommitParams = Type.Object({ email: Email, topic: TopicName, partition: PartitionNumber }, { additionalProperties: false });
export type CommitParams = Static<typeof CommitParams>;

export const CommitBody = Type.Object({ offset: Offset }, { additionalProperties: false });
export type CommitBody = Static<typeof CommitBody>;

export const ConsumerPosition = Type.Object({ partition: Type.Integer(), offset: Type.Integer() });
export type ConsumerPosition = Static<typeof ConsumerPosition>;

export const CommitAnswer = Type.Object({ email: Type.String(), topic: Type.String(), ...ConsumerPosition.properties });
export type CommitAnswer = Static<typeof CommitAnswer>;

/** Exactly one of to, offset and timestamp; every partition, or one. */
export const SeekBody = Type.Object(
  {
    to: Type.Optional(EarliestOrLatest),
    offset: Type.Optional(Offset),
    timestamp: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    partition: Type.Optional(PartitionNumber),
  },
  { additionalProperties: false },
);
export type SeekBody = Static<typeof SeekBody>;

export const SeekAnswer = Type.Object({ email: Type.String(), topic: Type.String(), partitions: Type.Array(ConsumerPosition) });
export type SeekAnswer = Static<typeof SeekAnswer>;

export const EmailParams = Type.Object({ email: Email }, { additionalProperties: false });
export type EmailParams = Static<typeof EmailParams>;

export const SubscriptionPartition = Type.Object({
  partition: Type.Integer(),
  committed_offset: Type.Integer({ description: 'where the next read starts' }),
  log_start_offset: Type.Integer(),
  high_watermark: Type.Integer(),
  lag: Type.Integer(),
});
export type SubscriptionPartition = Static<typeof SubscriptionPartition>;

export const Subscription = Type.Object({
  topic: Type.String(),
  topic_id: Type.String(),
  lag: Type.Integer(),
  partitions: Type.Array(SubscriptionPartition),
});
export type Subscription = Static<typeof Subscription>;

export const SubscriptionList = Type.Object({ email: Type.String(), subscriptions: Type.Array(Subscription) });
export type SubscriptionList = Static<typeof SubscriptionList>;

/** An email or a group reading a topic. */
export const TopicConsumer = Type.Object({
  type: StringEnum(['email', 'group']),
  name: Type.String(),
  lag: Type.Integer(),
  members: Type.Optional(Type.Integer({ description: 'groups: how many live members read the topic' })),
});
export type TopicConsumer = Static<typeof TopicConsumer>;

export const TopicConsumers = Type.Object({ topic: Type.String(), consumers: Type.Array(TopicConsumer) });
export type TopicConsumers = Static<typeof TopicConsumers>;
