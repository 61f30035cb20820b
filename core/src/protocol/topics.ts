// The topic routes' request and response shapes, as JSON schemas from which the TypeScript types are derived:
// the broker validates and serializes with them, the CLI reads its answers as them, /openapi.json shows them.
import { Type, type Static } from '@sinclair/typebox';

/** Topic config as clients send it (snake_case, all optional); TopicAdmin checks the values' ranges. */
export const TopicConfigBody = Type.Object(
  {
    retention_ms: Type.Optional(Type.Integer({ description: 'records older than this are dropped; -1 keeps them forever' })),
    max_record_bytes: Type.Optional(Type.Integer({ description: 'largest record accepted: key, value and headers as stored' })),
    dedup_window_ms: Type.Optional(Type.Integer({ description: 'how long record ids are remembered; 0 stops checking them' })),
    dead_letter_topic: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description:
          'where consumer groups dead-letter this topic’s records after max_deliveries: a topic name, or null to drop them; unset: each group’s own dead_letter_topic',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TopicConfigBody = Static<typeof TopicConfigBody>;

/** PATCH /topics/:topic: config fields, and the partition count, only upwards. */
export const TopicAlterBody = Type.Object(
  { ...TopicConfigBody.properties, partitions: Type.Optional(Type.Integer({ description: 'the new partition count: only more than now' })) },
  { additionalProperties: false, minProperties: 1 },
);
export type TopicAlterBody = Static<typeof TopicAlterBody>;

export const PartitionDescription = Type.Object({
  partition: Type.Integer(),
  log_start_offset: Type.Integer(),
  next_offset: Type.Integer(),
  records: Type.Integer(),
});
export type PartitionDescription = Static<typeof PartitionDescription>;

export const TopicDescription = Type.Object({
  name: Type.String(),
  id: Type.String(),
  partition_count: Type.Integer(),
  partitions: Type.Array(PartitionDescription),
  config: Type.Object({
    retention_ms: Type.Integer(),
    max_record_bytes: Type.Integer(),
    segment_records: Type.Integer(),
    dedup_window_ms: Type.Integer(),
    dead_letter_topic: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'present only when set: a topic name, or null (dropped)' })),
  }),
  created_at: Type.String({ description: 'ISO 8601' }),
});
export type TopicDescription = Static<typeof TopicDescription>;

export const TopicAlterResult = Type.Object({
  ...TopicDescription.properties,
  warnings: Type.Optional(Type.Array(Type.String(), { description: 'said when the partition count grew: keys now map to other partitions' })),
});
export type TopicAlterResult = Static<typeof TopicAlterResult>;

export const TopicList = Type.Object({ topics: Type.Array(TopicDescription) });
export type TopicList = Static<typeof TopicList>;

export const TopicDeleted = Type.Object({ name: Type.String(), id: Type.String(), deleted: Type.Literal(true) });
export type TopicDeleted = Static<typeof TopicDeleted>;
