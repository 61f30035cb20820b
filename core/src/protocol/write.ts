// POST /write/:topic and GET /topics/:topic/ids/:id: records in, offsets out, and "did my write land?".
import { Type, type Static } from '@sinclair/typebox';
import { ErrorAnswer, Nullable, RecordHeaders, RecordKey, TopicName } from './common.js';

/** An idempotency id: a retry of the record with the same id within the topic's dedup window is not stored again. */
export const RecordId = Type.String({ minLength: 1, maxLength: 128 });

/** A record as clients send it. A null key is a keyless record (Kafka's null key); a missing key is a 400. */
export const WriteRecord = Type.Object(
  {
    key: Nullable(RecordKey),
    value: Type.Unknown(),
    headers: Type.Optional(RecordHeaders),
    id: Type.Optional(RecordId),
  },
  { additionalProperties: false },
);
export type WriteRecord = Static<typeof WriteRecord>;

/**
 * One record ({key, value, headers, id}) or a batch ({records: [...]}), never both (the handler checks that).
 * The batch limit is the broker's config (MAX_BATCH_RECORDS), hence a function.
 */
export const writeBody = (maxBatchRecords: number) =>
  Type.Object(
    {
      ...Type.Partial(WriteRecord).properties,
      records: Type.Optional(Type.Array(WriteRecord, { minItems: 1, maxItems: maxBatchRecords })),
    },
    { additionalProperties: false },
  );
export type WriteBody = Static<ReturnType<typeof writeBody>>;

/** Where a record went. */
export const WriteResult = Type.Object({
  partition: Type.Integer(),
  offset: Type.Integer(),
  timestamp: Type.Integer(),
  duplicate: Type.Optional(Type.Boolean({ description: 'the id was already in the dedup window: this is where the first record with it went' })),
});
export type WriteResult = Static<typeof WriteResult>;

/** 200: one record's result with the topic, or a batch's results in request order. */
export const WriteAnswer = Type.Object({
  topic: Type.String(),
  ...Type.Partial(WriteResult).properties,
  results: Type.Optional(Type.Array(WriteResult)),
});
export type WriteAnswer = Static<typeof WriteAnswer>;

/** A batch record's outcome when not every record was stored: its offset, or why it was not stored. */
export const RecordOutcome = Type.Partial(
  Type.Object({
    ...WriteResult.properties,
    code: Type.String(),
    message: Type.String(),
    retriable: Type.Boolean(),
  }),
);
export type RecordOutcome = Static<typeof RecordOutcome>;

/** 503 PARTIAL_WRITE: some records were stored; retry only those whose result has a code. */
export const PartialWriteAnswer = Type.Partial(
  Type.Object({ ...ErrorAnswer.properties, topic: Type.String(), results: Type.Array(RecordOutcome) }),
);
export type PartialWriteAnswer = Static<typeof PartialWriteAnswer>;

export const RecordIdParams = Type.Object({ topic: TopicName, id: RecordId });
export type RecordIdParams = Static<typeof RecordIdParams>;

/** Where the record with an id went, while the id is inside the topic's dedup window. */
export const RecordIdLocation = Type.Object({
  topic: Type.String(),
  id: Type.String(),
  partition: Type.Integer(),
  offset: Type.Integer(),
  timestamp: Type.Integer(),
});
export type RecordIdLocation = Static<typeof RecordIdLocation>;
