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
  JSON_TOO_DEEP: { statusCode: 400, retriable: false, message: 'the request body nests JSON deeper than allowed' },
  INVALID_FILTER: { statusCode: 400, retriable: false, message: 'the filter is not a supported condition' },
  UNAUTHENTICATED: { statusCode: 401, retriable: false, message: 'send Authorization: Bearer <api key>' },
  FORBIDDEN: { statusCode: 403, retriable: false, message: 'the principal lacks the permission this request needs' },
  NOT_SUBSCRIBED: { statusCode: 403, retriable: false, message: 'not subscribed to this topic' },
  TOPIC_NOT_FOUND: { statusCode: 404, retriable: false, message: 'topic not found' },
  PARTITION_NOT_FOUND: { statusCode: 404, retriable: false, message: 'partition not found' },
  ROUTE_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no such route' },
  API_KEY_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no such API key' },
  ACL_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no such ACL' },
  METHOD_NOT_ALLOWED: { statusCode: 405, retriable: false, message: 'this path does not take this method' },
  REQUEST_TIMEOUT: { statusCode: 408, retriable: true, message: 'the request was not received in time' },
  RECORD_ID_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no record with this id in the dedup window' },
  GROUP_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no such consumer group' },
  REPLAY_NOT_FOUND: { statusCode: 404, retriable: false, message: 'no such replay' },
  UNKNOWN_MEMBER: {
    statusCode: 404,
    retriable: false,
    message: 'no such member in this group (it left, its session expired, or a newer member of its name replaced it): join again',
  },
  TOPIC_EXISTS: { statusCode: 409, retriable: false, message: 'topic already exists' },
  NOT_PARTITION_OWNER: {
    statusCode: 409,
    retriable: false,
    message: 'this member does not hold the partition now (it moved to another member); records after the last commit will be delivered again',
  },
  GROUP_NOT_EMPTY: { statusCode: 409, retriable: false, message: 'the group has live members; this needs a group without members' },
  NOT_DELIVERED: { statusCode: 409, retriable: false, message: 'this record was not delivered to this member' },
  RECORD_TOO_LARGE: { statusCode: 413, retriable: false, message: 'record too large' },
  BODY_TOO_LARGE: { statusCode: 413, retriable: false, message: 'request body too large' },
  JSON_TOO_MANY_ELEMENTS: { statusCode: 413, retriable: false, message: 'the request body has more JSON elements than allowed' },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, retriable: false, message: 'send the body as application/json' },
  QUOTA_EXCEEDED: { statusCode: 429, retriable: true, message: 'the principal is over its quota; retry after Retry-After seconds' },
  TOO_MANY_REPLAYS: { statusCode: 429, retriable: true, message: 'as many replays as may run at once are running' },
  HEADERS_TOO_LARGE: { statusCode: 431, retriable: false, message: 'the request headers are larger than allowed' },
  INTERNAL_ERROR: { statusCode: 500, retriable: false, message: 'internal error' },
  REDIS_UNAVAILABLE: { statusCode: 503, retriable: true, message: 'Redis did not answer in time' },
  ZOOKEEPER_UNAVAILABLE: { statusCode: 503, retriable: true, message: 'ZooKeeper did not answer in time' },
  WRITE_OUTCOME_UNKNOWN: {
    statusCode: 503,
    retriable: true,
    message: 'Redis did not confirm the write in time; it may or may not have been stored',
  },
  GATEWAY_UNAVAILABLE: { statusCode: 502, retriable: true, message: 'the consumer gateway did not answer the console' },
  NOT_READY: { statusCode: 503, retriable: true, message: 'not ready' },
  PARTITION_BUSY: {
    statusCode: 503,
    retriable: true,
    message: 'the partition is too busy to append to (other writers kept moving its end); nothing was stored, retry',
  },
  PARTIAL_WRITE: {
    statusCode: 503,
    retriable: true,
    message: 'some records were stored and some were not; `results` says which, retry only the failed ones',
  },
  CONSUMER_BUSY: {
    statusCode: 503,
    retriable: true,
    message: 'too many concurrent reads of this consumer committed first; nothing was skipped, retry',
  },
  STALE_CONTROLLER: { statusCode: 503, retriable: false, message: 'a newer controller has taken over' },
  REBALANCE_IN_PROGRESS: {
    statusCode: 503,
    retriable: true,
    message: "the group's membership kept changing while this request ran; retry",
  },
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

export function topicNotFound(topic: string): TributaryError {
  return new TributaryError('TOPIC_NOT_FOUND', `topic "${topic}" does not exist`, { topic });
}
