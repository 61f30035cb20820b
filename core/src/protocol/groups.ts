// The consumer-group routes (the gateway): members join, fetch, heartbeat, commit, nack and leave; groups are
// listed, described, configured, reset and deleted.
import { Type, type Static } from '@sinclair/typebox';
import { GROUP_NAME_PATTERN, groupDefaults, MEMBER_NAME_PATTERN, TOPIC_PATTERN_PATTERN } from '../groups.js';
import { Message, Nullable, Offset, PartitionNumber, EarliestOrLatest, StringEnum, TopicName, type Defaulted } from './common.js';
import { ReadOptions } from './reads.js';

export const GroupName = Type.String({ minLength: 1, maxLength: 249, pattern: GROUP_NAME_PATTERN });
/** Member ids are a member name and a random suffix. */
export const MemberId = Type.String({ minLength: 1, maxLength: 160, pattern: '^[a-zA-Z0-9._-]+$' });

export const GroupParams = Type.Object({ group: GroupName }, { additionalProperties: false });
export type GroupParams = Static<typeof GroupParams>;
export const MemberParams = Type.Object({ group: GroupName, member: MemberId }, { additionalProperties: false });
export type MemberParams = Static<typeof MemberParams>;

/** A dead-letter topic: a topic name, or a template where `{topic}` stands for the record's topic. */
const DeadLetterTopic = Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 249, pattern: '^([a-zA-Z0-9._-]|\\{topic\\})+$' });

const configProperties = {
  max_deliveries: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
  retry_delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 * 60 * 1000 })),
  dead_letter_topic: Type.Optional(DeadLetterTopic),
};

/** Topics by name, or a pattern (one of the two: the handler checks). */
export const JoinBody = Type.Object(
  {
    topics: Type.Optional(Type.Array(TopicName, { minItems: 1, maxItems: 1_000 })),
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 249, pattern: TOPIC_PATTERN_PATTERN })),
    member: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: MEMBER_NAME_PATTERN })),
    session_timeout_ms: Type.Optional(Type.Integer({ minimum: groupDefaults.minSessionTimeoutMs, maximum: groupDefaults.maxSessionTimeoutMs })),
    from: Type.Optional(EarliestOrLatest),
    ...configProperties,
  },
  { additionalProperties: false },
);
export type JoinBody = Static<typeof JoinBody>;

export const GroupConfigBody = Type.Object(configProperties, { additionalProperties: false });
export type GroupConfigBody = Static<typeof GroupConfigBody>;

export const FetchQuery = Type.Object(
  {
    max: ReadOptions.properties.max,
    max_bytes: ReadOptions.properties.max_bytes,
    wait_ms: ReadOptions.properties.wait_ms,
    commit: Type.Optional(StringEnum(['auto', 'manual'], { default: 'manual' })),
  },
  { additionalProperties: false },
);
export type FetchQuery = Defaulted<Static<typeof FetchQuery>, 'max' | 'max_bytes' | 'wait_ms' | 'commit'>;

const PartitionOffset = Type.Object({ topic: TopicName, partition: PartitionNumber, offset: Offset }, { additionalProperties: false });
export type PartitionOffset = Static<typeof PartitionOffset>;

export const GroupCommitBody = Type.Object(
  { offsets: Type.Array(PartitionOffset, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
);
export type GroupCommitBody = Static<typeof GroupCommitBody>;

export const NackBody = Type.Object(
  {
    ...PartitionOffset.properties,
    delay_ms: configProperties.retry_delay_ms,
    reason: Type.Optional(Type.String({ maxLength: 1_024 })),
  },
  { additionalProperties: false },
);
export type NackBody = Static<typeof NackBody>;

/** One of to and timestamp (each optionally with topics), or offsets. */
export const OffsetResetBody = Type.Object(
  {
    to: Type.Optional(EarliestOrLatest),
    timestamp: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    offsets: Type.Optional(GroupCommitBody.properties.offsets),
    topics: Type.Optional(Type.Array(TopicName, { minItems: 1, maxItems: 1_000 })),
  },
  { additionalProperties: false },
);
export type OffsetResetBody = Static<typeof OffsetResetBody>;

// ---- answers ----

export const PartitionAssignment = Type.Object({ topic: Type.String(), partitions: Type.Array(Type.Integer()) });
export type PartitionAssignment = Static<typeof PartitionAssignment>;

/** What a member is told after a join or heartbeat. */
export const MemberView = Type.Object({
  group: Type.String(),
  member_id: Type.String(),
  generation: Type.Integer(),
  assignment: Type.Array(PartitionAssignment, { description: 'the partitions rendezvous hashing gives the member now' }),
  pending: Type.Array(PartitionAssignment, { description: 'assigned partitions still held by their previous member: fetched once it releases them' }),
  heartbeat_interval_ms: Type.Integer(),
});
export type MemberView = Static<typeof MemberView>;

/** A group record as a fetch answers it. */
export const GroupMessage = Type.Object({
  topic: Type.String(),
  ...Message.properties,
  partition: Type.Integer(),
  delivery_count: Type.Integer({ description: 'deliveries of the record so far, this one included' }),
});
export type GroupMessage = Static<typeof GroupMessage>;

/** A fetch: the member's view, and records (JSON text built by the gateway: records are not re-serialized). */
export const FetchAnswer = Type.Object({ ...MemberView.properties, messages: Type.Array(GroupMessage) });
export type FetchAnswer = Static<typeof FetchAnswer>;

const PartitionOffsetAnswer = Type.Object({ topic: Type.String(), partition: Type.Integer(), offset: Type.Integer() });

export const GroupCommitAnswer = Type.Object({ group: Type.String(), member_id: Type.String(), offsets: Type.Array(PartitionOffsetAnswer) });
export type GroupCommitAnswer = Static<typeof GroupCommitAnswer>;

export const NackAnswer = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  offset: Type.Integer(),
  delivery_count: Type.Integer(),
  outcome: StringEnum(['retry', 'dead_lettered', 'dropped']),
  retry_at: Type.Optional(Type.Integer({ description: 'when it is delivered again (ms since the epoch)' })),
  dead_letter: Type.Optional(PartitionOffsetAnswer),
});
export type NackAnswer = Static<typeof NackAnswer>;

export const LeaveAnswer = Type.Object({ group: Type.String(), member_id: Type.String(), left: Type.Boolean(), generation: Type.Integer() });
export type LeaveAnswer = Static<typeof LeaveAnswer>;

export const GroupConfigView = Type.Object({ max_deliveries: Type.Integer(), retry_delay_ms: Type.Integer(), dead_letter_topic: Nullable(Type.String()) });
export type GroupConfigView = Static<typeof GroupConfigView>;

export const GroupConfigAnswer = Type.Object({ group: Type.String(), config: GroupConfigView });
export type GroupConfigAnswer = Static<typeof GroupConfigAnswer>;

export const GroupSummary = Type.Object({
  group: Type.String(),
  generation: Type.Integer(),
  members: Type.Integer(),
  state: StringEnum(['stable', 'empty'], { description: '"stable" with live members, "empty" without' }),
});
export type GroupSummary = Static<typeof GroupSummary>;

export const GroupList = Type.Object({ groups: Type.Array(GroupSummary) });
export type GroupList = Static<typeof GroupList>;

export const GroupMember = Type.Object({
  member_id: Type.String(),
  name: Type.String(),
  topics: Type.Optional(Type.Array(Type.String())),
  pattern: Type.Optional(Type.String()),
  from: Type.String(),
  session_timeout_ms: Type.Integer(),
  expires_in_ms: Type.Integer(),
  joined_at: Type.String(),
  assignment: Type.Array(PartitionAssignment),
});
export type GroupMember = Static<typeof GroupMember>;

export const GroupPartitionLag = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  assigned_to: Nullable(Type.String({ description: 'the live member rendezvous hashing gives the partition to' })),
  holder: Nullable(Type.String({ description: 'the member holding its lease now' })),
  committed_offset: Nullable(Type.Integer()),
  log_start_offset: Type.Integer(),
  high_watermark: Type.Integer(),
  lag: Type.Integer(),
  nacked: Type.Integer({ description: 'records waiting for a redelivery or its acknowledgement' }),
});
export type GroupPartitionLag = Static<typeof GroupPartitionLag>;

export const GroupDescription = Type.Object({
  group: Type.String(),
  generation: Type.Integer(),
  created_at: Nullable(Type.String()),
  config: GroupConfigView,
  members: Type.Array(GroupMember),
  partitions: Type.Array(GroupPartitionLag),
  lag: Type.Integer(),
});
export type GroupDescription = Static<typeof GroupDescription>;

export const GroupOffsets = Type.Object({ group: Type.String(), offsets: Type.Array(PartitionOffsetAnswer) });
export type GroupOffsets = Static<typeof GroupOffsets>;

export const GroupDeleted = Type.Object({ group: Type.String(), deleted: Type.Boolean() });
export type GroupDeleted = Static<typeof GroupDeleted>;
