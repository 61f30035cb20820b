// The Kafka listener as the broker starts it: its own subscriber connection for Fetch long polls, the
// handlers of every API it serves, and the TCP listener (KAFKA_PORT).
import { AppendWaiters, connectRedis, createRedis, KafkaStore, type AccessControl, type Config, type Logger, type LogStore, type TopicCache } from '@tributary/core';
import {
  CreateTopics,
  DeleteGroups,
  DeleteTopics,
  DescribeGroups,
  Fetch,
  FindCoordinator,
  Heartbeat,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  Produce,
  SaslAuthenticate,
  SaslHandshake,
  SyncGroup,
} from '@tributary/kafka';
import type { TopicAdmin } from '../topic-admin.js';
import { fetch, listOffsets } from './fetch.js';
import { groupHandlers } from './groups.js';
import { Handlers } from './handlers.js';
import { KafkaListener } from './listener.js';
import { metadata, type Advertised } from './metadata.js';
import { initProducerId, produce } from './produce.js';
import { KafkaAccess, saslHandlers } from './sasl.js';
import { createTopics, deleteTopics } from './topics.js';

export { KafkaListener } from './listener.js';

export interface KafkaDeps {
  config: Config;
  logger: Logger;
  logs: LogStore;
  topics: TopicCache;
  admin: TopicAdmin;
  /** API keys and ACLs: with AUTH=on, clients authenticate with SASL/PLAIN and ACLs apply. */
  access: AccessControl | undefined;
}

export interface KafkaService {
  readonly listener: KafkaListener;
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export async function createKafkaService({ config, logger, logs, topics, admin, access: accessControl }: KafkaDeps): Promise<KafkaService> {
  const access = new KafkaAccess(config, accessControl);
  const subscriber = createRedis(config, { name: `broker-kafka-appended-${config.instanceId}`, subscriber: true });
  await connectRedis(subscriber, config);
  const waiters = new AppendWaiters(subscriber, config.redisTimeoutMs);
  const store = new KafkaStore(logs.redis);
  let listener: KafkaListener | undefined;
  const advertised = (): Advertised => ({
    host: config.kafkaAdvertisedHost,
    port: config.kafkaAdvertisedPort ?? listener?.address?.port ?? config.kafkaPort ?? 9092,
  });
  const clusterId = `tributary${config.zookeeperRoot.replaceAll('/', '-')}`;
  const groups = groupHandlers({ store, waiters, topics, advertised, access });
  const handlers = new Handlers()
    .on(Metadata, metadata(topics, advertised, clusterId, access))
    .on(CreateTopics, createTopics(admin, topics, config, access))
    .on(DeleteTopics, deleteTopics(admin, access))
    .on(Produce, produce(logs, topics, config, store, access))
    .on(InitProducerId, initProducerId(store))
    .on(Fetch, fetch(logs, topics, waiters, access))
    .on(ListOffsets, listOffsets(logs, topics, access))
    .on(FindCoordinator, groups.findCoordinator)
    .on(JoinGroup, groups.joinGroup)
    .on(SyncGroup, groups.syncGroup)
    .on(Heartbeat, groups.heartbeat)
    .on(LeaveGroup, groups.leaveGroup)
    .on(OffsetCommit, groups.offsetCommit)
    .on(OffsetFetch, groups.offsetFetch)
    .on(ListGroups, groups.listGroups)
    .on(DescribeGroups, groups.describeGroups)
    .on(DeleteGroups, groups.deleteGroups);
  if (access.required) {
    const sasl = saslHandlers(access);
    handlers.on(SaslHandshake, sasl.handshake).on(SaslAuthenticate, sasl.authenticate);
  }
  listener = new KafkaListener({ config, logger, handlers, access });
  const service = listener;
  return {
    listener,
    listen: () => service.listen(),
    async close() {
      waiters.close();
      await service.close();
      subscriber.disconnect();
    },
  };
}
