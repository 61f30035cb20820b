// The one table of errors Tributary answers with. Callers branch on `code` or `retriable`, never on message
// text. Every HTTP error body is {statusCode, code, error, message} (see http.ts).

interface ErrorSpec {
  readonly statusCode: number;
  readonly retriable: boolean;
  /** Used when the thrower gives no message of its own. */
  readonly message: string;
}

export const errorTable = {
  INVALID_REQUEST: { statusCode: 400, retriable: false, message: 'the request is not valid' },
  INVALID_JSON: { statusCode: 400, retriable: false, message: 'the request body is not valid JSON' },
  INVALID_TOPIC_NAME: { statusCode: 400, retriable: false, message: 'invalid topic name' },
  INVALID_PARTITION_COUNT: { statusCode: 400, retriable: false, message: 'invalid partition count' },
  INVALID_TOPIC_CONFIG: { statusCode: 400, retriable: false, message: 'invalid topic config' },
  INVALID_EMAIL: { statusCode: 400, retriable: false, message: 'invalid email address' },
  INVALID_OFFSET: { statusCode: 400, retriable: false, message: 'invalid offset' },
  NOT_SUBSCRIBED: { statusCode: 403, retriable: false, message: 'not subscribed to this topic' },
  TOPIC_NOT_FOUND: { statusCode: 404, retriable: false, message: 'topic not found' },
  PARTITION_NOT_FOUND: { statusCode: 404, retriable: false, message: 'partition not found' },
  ROUTE_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no such route' },
  TOPIC_EXISTS: { statusCode: 409, retriable: false, message: 'topic already exists' },
  RECORD_TOO_LARGE: { statusCode: 413, retriable: false, message: 'record too large' },
  BODY_TOO_LARGE: { statusCode: 413, retriable: false, message: 'request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, retriable: false, message: 'send the body as application/json' },
  INTERNAL_ERROR: { statusCode: 500, retriable: false, message: 'internal error' },
  REDIS_UNAVAILABLE: { statusCode: 503, retriable: true, message: 'Redis did not answer in time' },
  ZOOKEEPER_UNAVAILABLE: { statusCode: 503, retriable: true, message: 'ZooKeeper did not answer in time' },
  WRITE_OUTCOME_UNKNOWN: {
    statusCode: 503,
    retriable: true,
    message: 'Redis did not confirm the write in time; it may or may not have been stored',
  },
  NOT_READY: { statusCode: 503, retriable: true, message: 'not ready' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorTable;

export interface ErrorContext {
  topic?: string;
  partition?: number;
  [key: string]: unknown;
}

export class TributaryError extends Error {
  override readonly name = 'TributaryError';
  readonly statusCode: number;
  readonly retriable: boolean;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    const spec: ErrorSpec = errorTable[code];
    super(message ?? spec.message, options);
    this.statusCode = spec.statusCode;
    this.retriable = spec.retriable;
  }
}

export const isTributaryError = (err: unknown): err is TributaryError => err instanceof TributaryError;

/**
 * Lua scripts report failures as negative integers (see the header of each .lua file). This is the one place
 * that turns them into errors.
 */
export function scriptError(code: number, context: ErrorContext = {}): TributaryError {
  switch (code) {
    case -1:
      // Only a topic unknown to Redis: Redis lost its data, or the metadata is older than the tombstone.
      return new TributaryError('TOPIC_NOT_FOUND', `topic "${context.topic}" has no log in Redis`, context);
    case -2:
      return new TributaryError('TOPIC_NOT_FOUND', `topic "${context.topic}" was deleted`, context);
    case -3:
      return new TributaryError(
        'NOT_SUBSCRIBED',
        `${context.email ?? 'this consumer'} is not subscribed to topic "${context.topic}" (subscribe with POST /subscribe/<email>/<topic>)`,
        context,
      );
    default:
      return new TributaryError('INTERNAL_ERROR', `unexpected script result ${code}`, context);
  }
}

export function topicNotFound(topic: string): TributaryError {
  return new TributaryError('TOPIC_NOT_FOUND', `topic "${topic}" does not exist`, { topic });
}
