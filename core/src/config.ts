// All configuration is read here, once, from the environment. Nothing else in Tributary reads process.env:
// services receive the frozen Config object and pass it down.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export const defaults = Object.freeze({
  zookeeperHost: '127.0.0.1:2181',
  zookeeperRoot: '/tributary',
  redisHost: '127.0.0.1',
  redisPort: 6379,
  redisDb: 0,
  brokerPort: 4000,
  gatewayPort: 5000,
  listenHost: '0.0.0.0',
  redisTimeoutMs: 2_000, // deadline for one Redis command
  zookeeperTimeoutMs: 3_000, // deadline for one ZooKeeper request (and for the first connection)
  zookeeperSessionTimeoutMs: 10_000, // ephemeral nodes (broker registry, controller) vanish this long after a crash
  maxPartitions: 1_000, // per topic
  metricsMaxTopics: 100, // topics with series of their own in /metrics; the rest are summed under topic="_other"
  // Request limits (README, Security): what one request may cost to receive and parse. Kafka's default
  // largest request is 1 MiB; a /write body may carry one record of the default max_record_bytes (1 MiB) with
  // room to spare, or a batch of thousands of small records.
  maxBodyBytes: 4 * 1024 * 1024, // one /write body (bytes)
  maxControlBodyBytes: 64 * 1024, // the body of any other route: a few small fields (bytes)
  maxBodyBytesInFlight: 16 * 1024 * 1024, // large bodies (over 64 KiB) being received at once, together; more wait (bytes)
  maxJsonDepth: 64, // nesting of arrays and objects in one body; deeper is a 400 before parsing
  maxJsonElements: 250_000, // values and members in one body (~25 per record of a full batch); more is a 413
  headersTimeoutMs: 10_000, // to receive the request line and headers
  requestTimeoutMs: 30_000, // to receive a whole request, body included (4 MiB at >= 140 KB/s)
  keepAliveTimeoutMs: 65_000, // idle keep-alive connections close after this: above the 60 s of common load balancers
  // Quotas per principal, enforced across every instance through Redis (AUTH=on only); 0 turns one off.
  quotaRequestsPerSec: 1_000, // requests per second per principal
  quotaProduceBytesPerSec: 10 * 1024 * 1024, // /write body bytes per second per principal
  maxBatchRecords: 10_000, // records in one batch write
  retentionCheckMs: 30_000, // how often the controller applies retention
  shutdownTimeoutMs: 10_000, // SIGTERM: in-flight requests get this long to finish before the process exits anyway
  logLevel: 'info',
});

export const topicConfigDefaults = Object.freeze({
  retentionMs: 7 * 24 * 60 * 60 * 1000, // 7 days; -1 keeps records forever
  maxRecordBytes: 1024 * 1024, // 1 MiB, key + value + headers as stored
  segmentRecords: 1_000, // records per Redis list (docs/invariants.md I3); fixed for a topic's lifetime
  dedupWindowMs: 120_000, // 2 minutes: a write retried with the same record id within it is not stored twice
});

export interface Config {
  readonly zookeeperHost: string;
  readonly zookeeperRoot: string;
  readonly redisHost: string;
  readonly redisPort: number;
  readonly redisDb: number;
  readonly redisPassword: string | undefined;
  /**
   * Seed nodes of a Redis Cluster (host:port each; the rest are discovered). When set, Tributary talks to the
   * cluster and ignores redisHost/redisPort/redisDb.
   */
  readonly redisClusterNodes: readonly string[] | undefined;
  readonly brokerPort: number;
  readonly gatewayPort: number;
  /**
   * GATEWAY_URL: where the broker's web console (/ui) reaches the consumer gateway. Unset: the gateway on this
   * machine at gatewayPort (none when that is 0, as in tests that pick free ports).
   */
  readonly gatewayUrl: string | undefined;
  readonly listenHost: string;
  /** The host other processes reach this one at, as shown in the broker registry. */
  readonly advertisedHost: string;
  /** Identifies this process in the broker registry and as controller. */
  readonly instanceId: string;
  readonly redisTimeoutMs: number;
  readonly zookeeperTimeoutMs: number;
  readonly zookeeperSessionTimeoutMs: number;
  readonly maxPartitions: number;
  /** METRICS_MAX_TOPICS: bounds /metrics' per-topic series (label cardinality). */
  readonly metricsMaxTopics: number;
  /** Largest /write body. */
  readonly maxBodyBytes: number;
  /** Largest body of every other route. */
  readonly maxControlBodyBytes: number;
  readonly maxBodyBytesInFlight: number;
  readonly maxJsonDepth: number;
  readonly maxJsonElements: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** AUTH=on: every request but the health checks needs `Authorization: Bearer <api key>`. */
  readonly auth: boolean;
  /** TRIBUTARY_ADMIN_KEY: accepted as an API key of the built-in `admin` principal. */
  readonly adminKey: string | undefined;
  readonly quotaRequestsPerSec: number;
  readonly quotaProduceBytesPerSec: number;
  /** PEM files; both set: the services speak HTTPS. */
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly maxBatchRecords: number;
  readonly retentionCheckMs: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
  /** KAFKA_PORT: the broker's Kafka protocol listener (broker/src/kafka); undefined: off, 0: a free port. */
  readonly kafkaPort: number | undefined;
  /** The host Kafka clients are told to connect to (Metadata, FindCoordinator). */
  readonly kafkaAdvertisedHost: string;
  /** The port Kafka clients are told to connect to; undefined: the port the listener bound. */
  readonly kafkaAdvertisedPort: number | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const str = (name: string, fallback: string, pattern?: RegExp, rule?: string): string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (pattern && !pattern.test(raw)) problems.push(`${name} ${rule}, got "${raw}"`);
    return raw;
  };

  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (/^(on|true|1)$/i.test(raw)) return true;
    if (/^(off|false|0)$/i.test(raw)) return false;
    problems.push(`${name} must be on or off, got "${raw}"`);
    return fallback;
  };
  // No default password: the operator chooses the secret, long enough not to be guessed.
  const secret = (name: string): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (raw.length < 16 || raw.length > 256 || !/^[\x21-\x7e]+$/.test(raw)) {
      problems.push(`${name} must be 16 to 256 printable ASCII characters without spaces`);
    }
    return raw;
  };

  const hostPortList = /^[A-Za-z0-9.\-_[\]:]+:\d+(,[A-Za-z0-9.\-_[\]:]+:\d+)*$/;
  const hostList = (name: string): string[] | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!hostPortList.test(raw)) {
      problems.push(`${name} must be host:port[,host:port...], got "${raw}"`);
      return undefined;
    }
    return raw.split(',');
  };

  const config: Config = {
    zookeeperHost: str('ZOOKEEPER_HOST', defaults.zookeeperHost, hostPortList, 'must be host:port[,host:port...]'),
    zookeeperRoot: str('ZOOKEEPER_ROOT', defaults.zookeeperRoot, /^(\/[A-Za-z0-9._-]+)+$/, 'must be an absolute path like /tributary'),
    redisHost: str('REDIS_HOST', defaults.redisHost),
    redisPort: int('REDIS_PORT', defaults.redisPort, 1, 65_535),
    redisDb: int('REDIS_DB', defaults.redisDb, 0, 15),
    redisPassword: env['REDIS_PASSWORD'] || undefined,
    redisClusterNodes: hostList('REDIS_CLUSTER_NODES'),
    brokerPort: int('BROKER_PORT', defaults.brokerPort, 0, 65_535),
    gatewayPort: int('GATEWAY_PORT', defaults.gatewayPort, 0, 65_535),
    gatewayUrl: str('GATEWAY_URL', '', /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'must be http(s)://host[:port][/path]') || undefined,
    listenHost: str('LISTEN_HOST', defaults.listenHost),
    advertisedHost: str('ADVERTISED_HOST', hostname()),
    instanceId: str('INSTANCE_ID', randomUUID(), /^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9._-]'),
    redisTimeoutMs: int('REDIS_TIMEOUT_MS', defaults.redisTimeoutMs, 50, 60_000),
    zookeeperTimeoutMs: int('ZOOKEEPER_TIMEOUT_MS', defaults.zookeeperTimeoutMs, 50, 60_000),
    zookeeperSessionTimeoutMs: int('ZOOKEEPER_SESSION_TIMEOUT_MS', defaults.zookeeperSessionTimeoutMs, 2_000, 120_000),
    maxPartitions: int('MAX_PARTITIONS', defaults.maxPartitions, 1, 100_000),
    metricsMaxTopics: int('METRICS_MAX_TOPICS', defaults.metricsMaxTopics, 0, 100_000),
    maxBodyBytes: int('MAX_BODY_BYTES', defaults.maxBodyBytes, 1024, 512 * 1024 * 1024),
    maxControlBodyBytes: int('MAX_CONTROL_BODY_BYTES', defaults.maxControlBodyBytes, 1024, 16 * 1024 * 1024),
    maxBodyBytesInFlight: int('MAX_BODY_BYTES_IN_FLIGHT', defaults.maxBodyBytesInFlight, 1024, 64 * 1024 ** 3),
    maxJsonDepth: int('MAX_JSON_DEPTH', defaults.maxJsonDepth, 2, 1_000),
    maxJsonElements: int('MAX_JSON_ELEMENTS', defaults.maxJsonElements, 100, 100_000_000),
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS', defaults.headersTimeoutMs, 100, 600_000),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', defaults.requestTimeoutMs, 100, 3_600_000),
    keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS', defaults.keepAliveTimeoutMs, 100, 3_600_000),
    auth: onOff('AUTH', false),
    adminKey: secret('TRIBUTARY_ADMIN_KEY'),
    quotaRequestsPerSec: int('QUOTA_REQUESTS_PER_SEC', defaults.quotaRequestsPerSec, 0, 10_000_000),
    quotaProduceBytesPerSec: int('QUOTA_PRODUCE_BYTES_PER_SEC', defaults.quotaProduceBytesPerSec, 0, 1024 ** 4),
    tlsCertFile: env['TLS_CERT_FILE'] || undefined,
    tlsKeyFile: env['TLS_KEY_FILE'] || undefined,
    maxBatchRecords: int('MAX_BATCH_RECORDS', defaults.maxBatchRecords, 1_000, 1_000_000),
    retentionCheckMs: int('RETENTION_CHECK_MS', defaults.retentionCheckMs, 100, 24 * 60 * 60 * 1000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', defaults.shutdownTimeoutMs, 100, 10 * 60 * 1000),
    logLevel: str('LOG_LEVEL', defaults.logLevel, /^(fatal|error|warn|info|debug|trace|silent)$/, 'must be a pino level'),
    kafkaPort: env['KAFKA_PORT'] ? int('KAFKA_PORT', 0, 0, 65_535) : undefined,
    kafkaAdvertisedHost: env['KAFKA_ADVERTISED_HOST'] ?? '',
    kafkaAdvertisedPort: env['KAFKA_ADVERTISED_PORT'] ? int('KAFKA_ADVERTISED_PORT', 0, 1, 65_535) : undefined,
    ...overrides,
  };
  // A client told to connect to this host must reach the listener: when the services listen on one address
  // (npm start: 127.0.0.1), that address, which the machine's hostname may not resolve to.
  if (config.kafkaAdvertisedHost === '') {
    const wildcard = config.listenHost === '0.0.0.0' || config.listenHost === '::';
    (config as { kafkaAdvertisedHost: string }).kafkaAdvertisedHost = wildcard ? config.advertisedHost : config.listenHost;
  }

  if (config.maxBodyBytesInFlight < config.maxBodyBytes) {
    problems.push('MAX_BODY_BYTES_IN_FLIGHT must be at least MAX_BODY_BYTES (one largest body must fit)');
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push('HEADERS_TIMEOUT_MS must not be more than REQUEST_TIMEOUT_MS');
  }
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return Object.freeze(config);
}
