// GET /topics/:topic/partitions/:partition/records: browsing a partition without consumer state.
import { Type, type Static } from '@sinclair/typebox';
import { Message, type Defaulted, Offset, OffsetReset, PartitionNumber, Timestamp, TopicName } from './common.js';

export const browseLimits = Object.freeze({
  defaultMax: 100, // records per browse when the client does not say
  max: 10_000, // records per browse, at most
  defaultMaxBytes: 1024 * 1024, // bytes of stored records per browse when the client does not say
  maxBytes: 16 * 1024 * 1024, // at most; a browse always returns at least one record if there is one
});

export const BrowseParams = Type.Object({ topic: TopicName, partition: PartitionNumber }, { additionalProperties: false });
export type BrowseParams = Static<typeof BrowseParams>;

/** From an offset or (instead) a time; defaults are filled in by validation. */
export const BrowseQuery = Type.Object(
  {
    offset: Type.Optional(Offset),
    timestamp: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: browseLimits.max, default: browseLimits.defaultMax })),
    max_bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: browseLimits.maxBytes, default: browseLimits.defaultMaxBytes })),
  },
  { additionalProperties: false },
);
/** As a handler sees it: validation filled the defaults in. */
export type BrowseQuery = Defaulted<Static<typeof BrowseQuery>, 'max' | 'max_bytes'>;

/** A browsed record names its partition. */
export const BrowsedMessage = Type.Object({ ...Message.properties, partition: Type.Integer() });
export type BrowsedMessage = Static<typeof BrowsedMessage>;

/** The answer (JSON text built by the broker: stored records are spliced in, not re-serialized). */
export const BrowseAnswer = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  log_start_offset: Type.Integer(),
  high_watermark: Type.Integer(),
  next_offset: Type.Integer({ description: 'where the next browse starts: past the last record returned' }),
  offset_reset: Type.Optional(Type.Object(OffsetReset.properties, { description: 'the asked-for offset was below the log start' })),
  messages: Type.Array(BrowsedMessage),
});
export type BrowseAnswer = Static<typeof BrowseAnswer>;
