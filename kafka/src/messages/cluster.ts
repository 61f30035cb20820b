// Cluster and topic administration: ApiVersions, Metadata, CreateTopics, DeleteTopics, InitProducerId.
// Field names follow the protocol specification's, in camelCase; `field(type, from, to)` gives the versions
// a field exists in.
import { array, bool, field, int16, int32, int64, message, nullableArray, nullableFrom, nullableString, string, struct, uuid } from '../schema.js';

export const ApiVersions = message({
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,
  request: struct({
    clientSoftwareName: field(string, 3),
    clientSoftwareVersion: field(string, 3),
  }),
  response: struct({
    errorCode: field(int16),
    apiKeys: field(array(struct({ apiKey: field(int16), minVersion: field(int16), maxVersion: field(int16) }))),
    throttleTimeMs: field(int32, 1),
  }),
});

const MetadataTopicRequest = struct({
  topicId: field(uuid, 10),
  name: field(nullableFrom(10, nullableString, string)),
});

export const Metadata = message({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 8,
  flexibleFrom: 9,
  request: struct({
    // Null (v1+) or empty (v0): every topic.
    topics: field(nullableFrom(1, nullableArray(MetadataTopicRequest), array(MetadataTopicRequest))),
    allowAutoTopicCreation: field(bool, 4, Infinity, true),
    includeClusterAuthorizedOperations: field(bool, 8, 10),
    includeTopicAuthorizedOperations: field(bool, 8),
  }),
  response: struct({
    throttleTimeMs: field(int32, 3),
    brokers: field(
      array(struct({ nodeId: field(int32), host: field(string), port: field(int32), rack: field(nullableString, 1) })),
    ),
    clusterId: field(nullableString, 2),
    controllerId: field(int32, 1, Infinity, -1),
    topics: field(
      array(
        struct({
          errorCode: field(int16),
          name: field(string),
          isInternal: field(bool, 1),
          partitions: field(
            array(
              struct({
                errorCode: field(int16),
                partitionIndex: field(int32),
                leaderId: field(int32),
                leaderEpoch: field(int32, 7, Infinity, -1),
                replicaNodes: field(array(int32)),
                isrNodes: field(array(int32)),
                offlineReplicas: field(array(int32), 5),
              }),
            ),
          ),
          topicAuthorizedOperations: field(int32, 8, Infinity, -2147483648),
        }),
      ),
    ),
    clusterAuthorizedOperations: field(int32, 8, 10, -2147483648),
  }),
});

export const CreateTopics = message({
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 5,
  request: struct({
    topics: field(
      array(
        struct({
          name: field(string),
          numPartitions: field(int32),
          replicationFactor: field(int16),
          assignments: field(array(struct({ partitionIndex: field(int32), brokerIds: field(array(int32)) }))),
          configs: field(array(struct({ name: field(string), value: field(nullableString) }))),
        }),
      ),
    ),
    timeoutMs: field(int32),
    validateOnly: field(bool, 1),
  }),
  response: struct({
    throttleTimeMs: field(int32, 2),
    topics: field(array(struct({ name: field(string), errorCode: field(int16), errorMessage: field(nullableString, 1) }))),
  }),
});

export const DeleteTopics = message({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 4,
  request: struct({
    topicNames: field(array(string)),
    timeoutMs: field(int32),
  }),
  response: struct({
    throttleTimeMs: field(int32, 1),
    responses: field(array(struct({ name: field(string), errorCode: field(int16) }))),
  }),
});

export const InitProducerId = message({
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 2,
  request: struct({
    transactionalId: field(nullableString),
    transactionTimeoutMs: field(int32),
  }),
  response: struct({
    throttleTimeMs: field(int32),
    errorCode: field(int16),
    producerId: field(int64, 0, Infinity, -1),
    producerEpoch: field(int16, 0, Infinity, -1),
  }),
});
