// Schema pieces every area of the contract shares: names, offsets and partitions as the routes take them, and
// the error body every refusal answers. Plain JSON schema underneath (TypeBox adds only symbol keys, which
// Ajv and the serializer ignore), so validation and serialization read them as hand-written ones.
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { TOPIC_NAME_PATTERN } from '../topics.js';

/**
 * A string from a fixed list, as `{type: 'string', enum}`: TypeBox's own (a union of literals) would be
 * `anyOf`, which Ajv refuses with other messages than the ones clients already see.
 */
export const StringEnum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options });

/** `schema` or null, as `type: [..., 'null']` rather than TypeBox's `anyOf` (same reason as StringEnum). */
export const Nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema['type'] as string, 'null'] });

/** A query or body as its handler sees it: validation (useDefaults) filled in the fields `K`. */
export type Defaulted<T, K extends keyof T> = T & { [P in K]-?: Exclude<T[P], undefined> };

export const TopicName = Type.String({ minLength: 1, maxLength: 249, pattern: TOPIC_NAME_PATTERN });
export const TopicParams = Type.Object({ topic: TopicName }, { additionalProperties: false });
export type TopicParams = Static<typeof TopicParams>;

export const Offset = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const PartitionNumber = Type.Integer({ minimum: 0, maximum: 99_999 });
export const Timestamp = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'ms since the epoch' });
export const RecordKey = Type.String({ maxLength: 32_768 });

/** Record headers: string values under short names, at most 64 of them. */
export const RecordHeaders = Type.Unsafe<Record<string, string>>({
  type: 'object',
  maxProperties: 64,
  propertyNames: { maxLength: 256 },
  additionalProperties: { type: 'string', maxLength: 65_536 },
});
export type RecordHeaders = Static<typeof RecordHeaders>;

export const EarliestOrLatest = StringEnum(['earliest', 'latest']);
export type EarliestOrLatest = Static<typeof EarliestOrLatest>;

/** The error body every refusal answers (errors.ts has the codes; http.ts's errorBody makes it). */
export const ErrorAnswer = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'one of the codes of the error table; branch on it, never on the message' }),
  error: Type.String({ description: 'the status code’s reason phrase' }),
  message: Type.String(),
  retriable: Type.Boolean({ description: 'whether the same request may succeed later' }),
});
export type ErrorAnswer = Static<typeof ErrorAnswer>;

/**
 * Every route's error responses, for its `response` schema. Nothing required and `code` a plain string: the
 * serializer must never turn a refusal into a 500. The published document lists each route's own codes
 * (openapi.ts).
 */
export const errorResponses = { '4xx': Type.Partial(ErrorAnswer), '5xx': Type.Partial(ErrorAnswer) } as const;

/** Records where a read or browse moved a stored or asked-for offset up to the log start (retention). */
export const OffsetReset = Type.Object({ from: Type.Integer(), to: Type.Integer() });

/** A record as every read answers it. */
export const Message = Type.Object({
  partition: Type.Optional(Type.Integer({ description: 'every read but GET /read/:email/:topic/:key names it' })),
  offset: Type.Integer(),
  timestamp: Type.Integer(),
  key: Nullable(Type.String()),
  headers: RecordHeaders,
  value: Type.Unknown(),
});
export type Message = Static<typeof Message>;
