// Assembles a consumer gateway from its configuration: connects to Redis (one connection for commands, one in
// subscriber mode for long polls) and ZooKeeper, loads topic metadata, and builds the HTTP app. server.ts runs
// one; tests build as many as they need. Everything a consumer owns is in Redis, so any number of gateways
// serve any consumer interchangeably (docs/invariants.md I7).
import { connectRedis, connectServices, createRedis, listen, type Config, type Service, type TopicCache } from '@tributary/core';
import { buildGatewayApp } from './app.js';
import { AppendWaiters } from './waiters.js';

export interface Gateway extends Service {
  readonly topics: TopicCache;
  readonly waiters: AppendWaiters;
}

export async function createGateway(config: Config): Promise<Gateway> {
  const connections = await connectServices(config, 'gateway');
  const { logger, redis, storage, zk, topics, access, metrics } = connections;
  // Long polls share this one connection in subscriber mode (waiters.ts). The instance id in its name tells
  // this gateway's connections apart in CLIENT LIST.
  const subscriber = createRedis(config, { name: `gateway-appended-${config.instanceId}`, subscriber: true });
  try {
    await connectRedis(subscriber, config);
    const waiters = new AppendWaiters(subscriber, config.redisTimeoutMs);
    const app = buildGatewayApp({ config, redis, storage, subscriber, zk, topics, waiters, logger, access, metrics });
    let closed: Promise<void> | undefined;

    return {
      app,
      topics,
      waiters,
      /** Listens on config.gatewayPort (0 picks a free port). */
      listen: () => listen(app, config.listenHost, config.gatewayPort),
      close() {
        closed ??= (async () => {
          // Waiting reads answer with what they have now, so closing the server does not wait out their polls.
          waiters.close();
          await app.close();
          subscriber.disconnect();
          connections.close();
        })();
        return closed;
      },
    };
  } catch (err) {
    subscriber.disconnect();
    connections.close();
    throw err;
  }
}
