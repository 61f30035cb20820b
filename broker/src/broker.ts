// Assembles a broker from its configuration: connects to Redis and ZooKeeper, loads topic metadata,
// stands for controller, and builds the HTTP app. server.ts runs one; tests build as many as they need.
import { connectServices, listen, type Config, type Service, type TopicCache } from '@tributary/core';
import { buildBrokerApp } from './app.js';
import { Controller } from './controller.js';
import { createKafkaService, type KafkaService } from './kafka/index.js';
import { BrokerRegistry } from './registry.js';
import { ReplayRunner } from './replay.js';
import { TopicAdmin } from './topic-admin.js';
import { PartitionWriter } from './write.js';

export interface Broker extends Service {
  readonly controller: Controller;
  /** Runs replays while this broker is the controller. */
  readonly replays: ReplayRunner;
  readonly topics: TopicCache;
  /** The Kafka protocol listener, when KAFKA_PORT is set. */
  readonly kafka: KafkaService | undefined;
}

export async function createBroker(config: Config): Promise<Broker> {
  const connections = await connectServices(config, 'broker');
  const { logger, redis, storage, zk, paths, topics, access, metrics } = connections;
  try {
    await Promise.all([paths.deletedTopics, paths.brokers].map((path) => zk.mkdirp(path)));
    const registry = new BrokerRegistry({ config, zk, paths, redis, log: logger });
    const replays = new ReplayRunner({ replays: storage.replays, logs: storage.logs, topics, writer: new PartitionWriter(storage.logs, metrics), log: logger });
    const controller = new Controller({ config, logs: storage.logs, consumers: storage.consumers, groups: storage.groups, zk, paths, topics, log: logger, replays });
    metrics.gauge('tributary_controller_active', 'Whether this broker is the active controller (1) or not (0)', [], (gauge) => gauge.set(controller.active ? 1 : 0));
    metrics.gauge('tributary_controller_epoch', 'The controller epoch this broker won (0 when it is not the controller)', [], (gauge) => gauge.set(controller.epoch ?? 0));
    const app = buildBrokerApp({ config, redis, storage, zk, paths, topics, registry, controller, logger, access, metrics });
    const kafka =
      config.kafkaPort === undefined
        ? undefined
        : await createKafkaService({ config, logger, logs: storage.logs, topics, admin: new TopicAdmin({ config, logs: storage.logs, zk, paths, topics }), access });
    await Promise.all([controller.start(), registry.start()]);
    let closed: Promise<void> | undefined;

    return {
      app,
      controller,
      replays,
      topics,
      kafka,
      /** Listens on config.brokerPort (0 picks a free port), and KAFKA_PORT if set, and joins the broker registry. */
      async listen() {
        const address = await listen(app, config.listenHost, config.brokerPort);
        if (kafka) logger.info({ port: (await kafka.listen()).port }, 'kafka listener listening');
        await registry.register(config.advertisedHost, address.port);
        return address;
      },
      close() {
        closed ??= (async () => {
          controller.stop();
          await replays.stop();
          await kafka?.close();
          await registry.stop();
          await app.close();
          connections.close();
        })();
        return closed;
      },
    };
  } catch (err) {
    connections.close();
    throw err;
  }
}
