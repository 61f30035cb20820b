// Metadata: this broker, alone, as the leader and only replica of every partition of every topic (the
// broker is stateless over shared storage, so any broker serves any partition, as in Tansu). Topics come
// from the in-process cache (docs/invariants.md I5): no ZooKeeper round trip.
import { topicNameProblem, type TopicCache } from '@tributary/core';
import { KafkaError, type Metadata, type RequestOf, type ResponseOf } from '@tributary/kafka';
import type { RequestContext } from './handlers.js';
import { topicResource, type KafkaAccess } from './sasl.js';

/** The node id every Tributary broker gives itself: clients only need it to match leaders to brokers. */
export const NODE_ID = 0;

export interface Advertised {
  host: string;
  port: number;
}

type TopicMetadata = ResponseOf<typeof Metadata>['topics'][number];

export function metadata(topics: TopicCache, advertised: () => Advertised, clusterId: string, access: KafkaAccess) {
  return (request: RequestOf<typeof Metadata>, { version, session }: RequestContext): ResponseOf<typeof Metadata> => {
    const { host, port } = advertised();
    const visible = (name: string) => access.allowed(session, 'describe', topicResource(name));
    // v0 asks for every topic with an empty list, v1+ with null: every topic the principal may describe.
    const all = request.topics === null || (version === 0 && request.topics.length === 0);
    const names = all ? topics.list().map((t) => t.name).filter(visible) : (request.topics ?? []).map((t) => t.name ?? '');
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: NODE_ID, host, port, rack: null }],
      clusterId,
      controllerId: NODE_ID,
      topics: names.map((name): TopicMetadata => {
        const topic = topics.get(name);
        const base = { name, isInternal: false, topicAuthorizedOperations: -2147483648 };
        if (!visible(name)) return { ...base, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, partitions: [] };
        if (!topic) {
          const errorCode = topicNameProblem(name) ? KafkaError.INVALID_TOPIC_EXCEPTION : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
          return { ...base, errorCode, partitions: [] };
        }
        const partitions = Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
          errorCode: 0,
          partitionIndex,
          leaderId: NODE_ID,
          leaderEpoch: 0,
          replicaNodes: [NODE_ID],
          isrNodes: [NODE_ID],
          offlineReplicas: [],
        }));
        return { ...base, errorCode: 0, partitions };
      }),
      clusterAuthorizedOperations: -2147483648,
    };
  };
}
