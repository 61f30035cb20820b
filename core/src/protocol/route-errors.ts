// Which error codes each route can answer (the codes are errors.ts's table). A route lists what its handler
// can refuse with; what stands before every handler (the router's URL parsing, validation, authentication and
// quotas, body limits) adds its own codes by what the route is (errorCodesOf). /openapi.json shows the result
// per route; broker/test/openapi.test.ts checks every route is listed, and the fuzz suite checks that every code
// a route answered is among its codes.
import type { RouteAccess } from '../access.js';
import { errorTable, type ErrorCode } from '../errors.js';

/** Redis did not answer (or not in time): every route that reads or writes records, offsets or groups. */
const REDIS: ErrorCode[] = ['REDIS_UNAVAILABLE'];
/** A write to Redis whose outcome is unknown: retry it (it is idempotent where it matters). */
const REDIS_WRITE: ErrorCode[] = ['REDIS_UNAVAILABLE', 'WRITE_OUTCOME_UNKNOWN'];
const ZOOKEEPER: ErrorCode[] = ['ZOOKEEPER_UNAVAILABLE'];
/** An email consumer's routes: the email, the topic, and the consumer's subscription to it. */
const CONSUMER: ErrorCode[] = ['INVALID_EMAIL', 'TOPIC_NOT_FOUND', 'NOT_SUBSCRIBED'];
/** A group member's routes: the group, the member, and a group whose membership keeps changing. */
const MEMBER: ErrorCode[] = ['GROUP_NOT_FOUND', 'UNKNOWN_MEMBER', 'REBALANCE_IN_PROGRESS'];

/** The gateway's routes the broker relays for the web console (broker/src/console.ts). */
const RELAYED_BY_CONSOLE = ['GET /groups', 'GET /groups/:group', 'GET /topics/:topic/consumers', 'GET /subscriptions/:email'];

/** What each route's handler can refuse with, by `METHOD url` as declared (HEAD routes answer as their GET). */
export const routeErrors: Record<string, readonly ErrorCode[]> = {
  // both services
  'GET /healthz': [],
  'GET /readyz': ['NOT_READY'],
  'GET /metrics': [],
  'GET /openapi.json': [],
  'POST /keys': ZOOKEEPER,
  'GET /keys': ZOOKEEPER,
  'DELETE /keys/:key_id': ['API_KEY_NOT_FOUND', ...ZOOKEEPER],
  'DELETE /principals/:principal/keys': ['API_KEY_NOT_FOUND', ...ZOOKEEPER],
  'GET /acls': ZOOKEEPER,
  'PUT /acls/:principal/:operation/:resource': ZOOKEEPER,
  'DELETE /acls/:principal/:operation/:resource': ['ACL_NOT_FOUND', ...ZOOKEEPER],
  'GET /quotas': ZOOKEEPER,
  'PUT /quotas/:principal': ZOOKEEPER,
  'DELETE /quotas/:principal': ZOOKEEPER,

  // broker: topics, writes, browsing, the cluster, stats and replays
  'POST /create_topic/:topic/:num_partitions': ['INVALID_TOPIC_NAME', 'INVALID_PARTITION_COUNT', 'INVALID_TOPIC_CONFIG', 'TOPIC_EXISTS', ...ZOOKEEPER],
  'DELETE /delete_topic/:topic': ['INVALID_TOPIC_NAME', 'TOPIC_NOT_FOUND', ...ZOOKEEPER, ...REDIS],
  'GET /topics': REDIS,
  'GET /topics/:topic': ['TOPIC_NOT_FOUND', ...REDIS],
  'PATCH /topics/:topic': ['TOPIC_NOT_FOUND', 'INVALID_TOPIC_CONFIG', 'INVALID_PARTITION_COUNT', ...ZOOKEEPER, ...REDIS],
  'POST /write/:topic': ['TOPIC_NOT_FOUND', 'RECORD_TOO_LARGE', 'PARTITION_BUSY', 'PARTIAL_WRITE', ...REDIS_WRITE],
  'GET /topics/:topic/ids/:id': ['TOPIC_NOT_FOUND', 'RECORD_ID_NOT_FOUND', ...REDIS],
  'GET /topics/:topic/partitions/:partition/records': ['TOPIC_NOT_FOUND', 'PARTITION_NOT_FOUND', 'INVALID_OFFSET', ...REDIS],
  'GET /cluster': [],
  'GET /stats': REDIS,
  'POST /replay': ['TOPIC_NOT_FOUND', 'GROUP_NOT_FOUND', 'INVALID_FILTER', 'TOO_MANY_REPLAYS', ...REDIS_WRITE, ...ZOOKEEPER],
  'GET /replay/:id': ['REPLAY_NOT_FOUND', ...REDIS],
  'DELETE /replay/:id': ['REPLAY_NOT_FOUND', ...REDIS_WRITE],
  'GET /replays': REDIS,

  // broker: the web console
  'GET /ui': [],
  'GET /ui/*': ['ROUTE_NOT_FOUND'],
  'GET /ui/config.json': [],

  // gateway: email consumers
  'POST /subscribe/:email/:topic': ['INVALID_EMAIL', 'TOPIC_NOT_FOUND', ...REDIS_WRITE],
  'POST /unsubscribe/:email/:topic': [...CONSUMER, ...REDIS_WRITE],
  'GET /read/:email/:topic/:key': [...CONSUMER, 'CONSUMER_BUSY', ...REDIS_WRITE],
  'GET /read/:email/:topic': [...CONSUMER, 'PARTITION_NOT_FOUND', 'CONSUMER_BUSY', ...REDIS_WRITE],
  'POST /commit/:email/:topic/:partition': [...CONSUMER, 'PARTITION_NOT_FOUND', 'INVALID_OFFSET', ...REDIS_WRITE],
  'POST /seek/:email/:topic': [...CONSUMER, 'PARTITION_NOT_FOUND', 'INVALID_OFFSET', ...REDIS_WRITE],
  'GET /subscriptions/:email': ['INVALID_EMAIL', ...REDIS],
  'GET /topics/:topic/consumers': ['TOPIC_NOT_FOUND', ...REDIS],

  // gateway: consumer groups
  'POST /groups/:group/members': ['TOPIC_NOT_FOUND', 'REBALANCE_IN_PROGRESS', ...REDIS_WRITE],
  'GET /groups/:group/members/:member/records': [...MEMBER, 'NOT_PARTITION_OWNER', ...REDIS_WRITE],
  'POST /groups/:group/members/:member/heartbeat': [...MEMBER, ...REDIS_WRITE],
  'POST /groups/:group/members/:member/commit': [...MEMBER, 'NOT_PARTITION_OWNER', 'TOPIC_NOT_FOUND', 'PARTITION_NOT_FOUND', 'INVALID_OFFSET', ...REDIS_WRITE],
  'POST /groups/:group/members/:member/nack': [
    ...MEMBER,
    'NOT_PARTITION_OWNER',
    'NOT_DELIVERED',
    'TOPIC_NOT_FOUND',
    'PARTITION_NOT_FOUND',
    ...REDIS_WRITE,
    // A dead-lettered record's topic is created on first use.
    ...ZOOKEEPER,
  ],
  'DELETE /groups/:group/members/:member': [...MEMBER, ...REDIS_WRITE],
  'GET /groups': REDIS,
  'GET /groups/:group': ['GROUP_NOT_FOUND', ...REDIS],
  'PUT /groups/:group/config': ['GROUP_NOT_FOUND', ...REDIS_WRITE],
  'POST /groups/:group/offsets': ['GROUP_NOT_FOUND', 'GROUP_NOT_EMPTY', 'TOPIC_NOT_FOUND', 'PARTITION_NOT_FOUND', 'INVALID_OFFSET', ...REDIS_WRITE],
  'DELETE /groups/:group': ['GROUP_NOT_FOUND', 'GROUP_NOT_EMPTY', ...REDIS_WRITE],
};

// The relay answers what the gateway answers, and says so when it cannot reach it or the route is not relayed.
routeErrors['GET /ui/gateway/*'] = ['ROUTE_NOT_FOUND', 'GATEWAY_UNAVAILABLE', ...RELAYED_BY_CONSOLE.flatMap((route) => routeErrors[route] ?? [])];

/** Answered before any handler runs, so by every route: a URL the router cannot parse, a bug. */
const EVERY_ROUTE: ErrorCode[] = ['INVALID_REQUEST', 'INTERNAL_ERROR'];
/** Routes that need an API key (with AUTH=on): no key or a bad one, no permission, over the principal's quota. */
const WITH_KEY: ErrorCode[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'QUOTA_EXCEEDED'];
/** Routes that read a body (any method but GET and HEAD): its media type, its size, its JSON and its limits. */
const WITH_BODY: ErrorCode[] = ['INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BODY_TOO_LARGE', 'JSON_TOO_DEEP', 'JSON_TOO_MANY_ELEMENTS'];

export interface RouteRef {
  method: string;
  /** As declared, with its `:params`. */
  url: string;
  access: RouteAccess | 'public' | undefined;
}

/**
 * Every code `route` can answer, in the error table's order; undefined when routeErrors does not list the
 * route (the OpenAPI test fails for such a route).
 */
export function errorCodesOf({ method, url, access }: RouteRef): ErrorCode[] | undefined {
  const own = routeErrors[`${method === 'HEAD' ? 'GET' : method} ${url}`];
  if (own === undefined) return undefined;
  const codes = new Set<ErrorCode>([...EVERY_ROUTE, ...own]);
  if (access !== undefined && access !== 'public') for (const code of WITH_KEY) codes.add(code);
  if (method !== 'GET' && method !== 'HEAD') for (const code of WITH_BODY) codes.add(code);
  return (Object.keys(errorTable) as ErrorCode[]).filter((code) => codes.has(code));
}
