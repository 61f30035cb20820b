// Assembles a consumer gateway from its configuration: connects to Redis (one connection for commands, one in
// subscriber mode for long polls) and ZooKeeper, loads topic metadata, and builds the HTTP app. server.ts runs
// one; tests build as many as they need. Everything a consumer owns is in Redis, so any number of gateways
// serve any consumer interchangeably (DESIGN.md I7).
import type { FastifyInstance } from 'fastify';
import {
  connectRedis,
  createLogger,
  createRedis,
  TopicCache,
  ZooKeeper,
  zooKeeperPaths,
  type Config,
} from '@tributary/core';
import { buildGatewayApp } from './app.js';
import { AppendWaiters } from './waiters.js';

export interface Gateway {
  readonly app: FastifyInstance;
  readonly topics: TopicCache;
  readonly waiters: AppendWaiters;
  /** Listens on config.gatewayPort (0 picks a free port). */
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export async function createGateway(config: Config): Promise<Gateway> {
  const logger = createLogger(config, 'consumer-gateway');
  // The instance id in the names tells this gateway's connections apart in CLIENT LIST.
  const redis = createRedis(config, { name: `gateway-${config.instanceId}` });
  const subscriber = createRedis(config, { name: `gateway-appended-${config.instanceId}`, subscriber: true });
  let zk: ZooKeeper | undefined;
  try {
    await Promise.all([connectRedis(redis, config), connectRedis(subscriber, config)]);
    zk = await ZooKeeper.connect(config, logger);
    const topics = new TopicCache(zk, zooKeeperPaths(config.zookeeperRoot), logger);
    await topics.start();
    const waiters = new AppendWaiters(subscriber, config.redisTimeoutMs);
    const app = buildGatewayApp({ config, redis, subscriber, zk, topics, waiters, logger });
    const session = zk;
    let closed: Promise<void> | undefined;

    return {
      app,
      topics,
      waiters,
      async listen() {
        await app.listen({ port: config.gatewayPort, host: config.listenHost });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : config.gatewayPort;
        return { host: config.listenHost, port };
      },
      close() {
        closed ??= (async () => {
          // Waiting reads answer with what they have now, so closing the server does not wait out their polls.
          waiters.close();
          topics.stop();
          await app.close();
          session.close();
          subscriber.disconnect();
          redis.disconnect();
        })();
        return closed;
      },
    };
  } catch (err) {
    zk?.close();
    subscriber.disconnect();
    redis.disconnect();
    throw err;
  }
}
