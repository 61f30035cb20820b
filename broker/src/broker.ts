// Assembles a broker from its configuration: connects to Redis and ZooKeeper, loads topic metadata,
// stands for controller, and builds the HTTP app. server.ts runs one; tests build as many as they need.
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
import { buildBrokerApp } from './app.js';
import { Controller } from './controller.js';
import { BrokerRegistry } from './registry.js';

export interface Broker {
  readonly app: FastifyInstance;
  readonly controller: Controller;
  /** Listens on config.brokerPort (0 picks a free port) and joins the broker registry. */
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export async function createBroker(config: Config): Promise<Broker> {
  const logger = createLogger(config, 'broker');
  const redis = createRedis(config, { name: 'broker' });
  let zk: ZooKeeper | undefined;
  try {
    await connectRedis(redis, config);
    zk = await ZooKeeper.connect(config, logger);
    const paths = zooKeeperPaths(config.zookeeperRoot);
    await Promise.all([paths.topics, paths.deletedTopics, paths.brokers].map((path) => zk!.mkdirp(path)));
    const topics = new TopicCache(zk, paths, logger);
    await topics.start();
    const registry = new BrokerRegistry(config, zk, paths);
    const controller = new Controller({ config, redis, zk, paths, topics, log: logger });
    const app = buildBrokerApp({ config, redis, zk, paths, topics, registry, controller, logger });
    await controller.start();
    const session = zk;

    return {
      app,
      controller,
      async listen() {
        await app.listen({ port: config.brokerPort, host: config.listenHost });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : config.brokerPort;
        await registry.register(config.listenHost, port);
        return { host: config.listenHost, port };
      },
      async close() {
        controller.stop();
        registry.stop();
        topics.stop();
        await app.close();
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
