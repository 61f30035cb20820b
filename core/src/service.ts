// What the broker and the gateway share as processes: the connections every service holds, and the one way
// a service starts and stops (server.ts of each is a single call to runService).
import type { FastifyInstance } from 'fastify';
import { startAccessControl, type AccessControl } from './auth/access-control.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { zooKeeperPaths, type ZooKeeperPaths } from './keys.js';
import { createLogger, type Logger } from './logger.js';
import { ServiceMetrics } from './metrics.js';
import { StatsReporter } from './stats.js';
import { connectRedis, createRedis, observeRedis, redisAddress, type RedisClient } from './storage/connection.js';
import { createStorage, type Storage } from './storage/index.js';
import { TopicCache } from './topics.js';
import { ZooKeeper } from './zookeeper.js';

export interface Connections {
  readonly logger: Logger;
  readonly redis: RedisClient;
  /** Every Redis call on partitions and consumers goes through here. */
  readonly storage: Storage;
  readonly zk: ZooKeeper;
  readonly paths: ZooKeeperPaths;
  /** Every topic, kept current by ZooKeeper watches: requests never wait on ZooKeeper (docs/invariants.md I5). */
  readonly topics: TopicCache;
  /** API keys, ACLs and quotas, kept current like topics (auth/access-control.ts). */
  readonly access: AccessControl;
  /** This instance's /metrics registry: Redis and ZooKeeper calls are already observed into it. */
  readonly metrics: ServiceMetrics;
  /** Adds this instance's counts of records published and consumed to the cluster's (GET /stats). */
  readonly stats: StatsReporter;
  close(): void;
}

/**
 * Connects to Redis and ZooKeeper and loads the topic cache, each within its deadline; on failure nothing
 * is left open. `name` labels the logger and the Redis connection (CLIENT LIST).
 */
export async function connectServices(config: Config, name: string): Promise<Connections> {
  const logger = createLogger(config, name);
  const redis = createRedis(config, { name: `${name}-${config.instanceId}` });
  const metrics = new ServiceMetrics(config, name);
  observeRedis(redis, metrics);
  let zk: ZooKeeper | undefined;
  try {
    await connectRedis(redis, config);
    zk = await ZooKeeper.connect(config, logger);
    zk.metrics = metrics;
    const paths = zooKeeperPaths(config.zookeeperRoot);
    const topics = new TopicCache(zk, paths, logger);
    await topics.start();
    const access = await startAccessControl({ config, zk, paths, redis, logger }).catch((err: unknown) => {
      topics.stop();
      throw err;
    });
    const session = zk;
    const stats = new StatsReporter(redis, metrics, logger);
    return {
      logger,
      redis,
      storage: createStorage(redis),
      zk,
      paths,
      topics,
      access,
      metrics,
      stats,
      close() {
        stats.stop();
        access.stop();
        topics.stop();
        session.close();
        redis.disconnect();
      },
    };
  } catch (err) {
    zk?.close();
    redis.disconnect();
    throw err;
  }
}

/** Listens and answers the port actually bound (0 in the config picks a free one). */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<{ host: string; port: number }> {
  await app.listen({ host, port });
  const address = app.server.address();
  return { host, port: typeof address === 'object' && address ? address.port : port };
}

export interface Service {
  readonly app: FastifyInstance;
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

/**
 * A service's whole life as a process: load config, start, listen, and stop cleanly on SIGINT/SIGTERM.
 *
 * Stopping: the server stops accepting connections and answers requests that still arrive on open
 * keep-alive connections with 503 (retriable: a client or load balancer sends them elsewhere); requests in
 * flight finish; waiting long polls answer at once with what they have; the ZooKeeper session is closed,
 * which removes this process' ephemeral nodes (broker registration, controller) at once rather than after
 * the session timeout; then the Redis connections close and the process exits 0. If that has not finished
 * within SHUTDOWN_TIMEOUT_MS it exits 1 anyway, saying so.
 */
export function runService(name: string, start: (config: Config) => Promise<Service>): void {
  const run = async () => {
    const config = loadConfig(process.env);
    const service = await start(config);
    const { port } = await service.listen();
    service.app.log.info({ port, redis: redisAddress(config), zookeeper: config.zookeeperHost }, `${name} listening`);

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      service.app.log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, `${name} stopping`);
      setTimeout(() => {
        service.app.log.error({ timeoutMs: config.shutdownTimeoutMs }, `${name} did not stop in time; exiting anyway`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      // A keep-alive connection whose request was still running when closing began (a long poll, a write)
      // goes idle only after its answer, and the server would wait on it: close such connections as they go idle.
      const sweep = setInterval(() => service.app.server.closeIdleConnections(), 50);
      await service.close();
      clearInterval(sweep);
      service.app.log.info(`${name} stopped`);
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  };
  run().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `${name} failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
