// Consumer groups: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
// ListGroups, DescribeGroups, DeleteGroups.
import { array, bool, bytes, field, int16, int32, int64, int8, message, nullableArray, nullableFrom, nullableString, string, struct, topicPartitions } from '../schema.js';

export const FindCoordinator = message({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 3,
  request: struct({ key: field(string), keyType: field(int8, 1) }),
  response: struct({
    throttleTimeMs: field(int32, 1),
    errorCode: field(int16),
    errorMessage: field(nullableString, 1),
    nodeId: field(int32),
    host: field(string),
    port: field(int32),
  }),
});

export const JoinGroup = message({
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 6,
  request: struct({
    groupId: field(string),
    sessionTimeoutMs: field(int32),
    rebalanceTimeoutMs: field(int32, 1, Infinity, -1),
    memberId: field(string),
    groupInstanceId: field(nullableString, 5),
    protocolType: field(string),
    protocols: field(array(struct({ name: field(string), metadata: field(bytes) }))),
  }),
  response: struct({
    throttleTimeMs: field(int32, 2),
    errorCode: field(int16),
    generationId: field(int32, 0, Infinity, -1),
    protocolName: field(string),
    leader: field(string),
    memberId: field(string),
    members: field(array(struct({ memberId: field(string), groupInstanceId: field(nullableString, 5), metadata: field(bytes) }))),
  }),
});

export const SyncGroup = message({
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 4,
  request: struct({
    groupId: field(string),
    generationId: field(int32),
    memberId: field(string),
    groupInstanceId: field(nullableString, 3),
    assignments: field(array(struct({ memberId: field(string), assignment: field(bytes) }))),
  }),
  response: struct({ throttleTimeMs: field(int32, 1), errorCode: field(int16), assignment: field(bytes) }),
});

export const Heartbeat = message({
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 4,
  request: struct({
    groupId: field(string),
    generationId: field(int32),
    memberId: field(string),
    groupInstanceId: field(nullableString, 3),
  }),
  response: struct({ throttleTimeMs: field(int32, 1), errorCode: field(int16) }),
});

export const LeaveGroup = message({
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 4,
  request: struct({
    groupId: field(string),
    memberId: field(string, 0, 2),
    members: field(array(struct({ memberId: field(string), groupInstanceId: field(nullableString) })), 3),
  }),
  response: struct({
    throttleTimeMs: field(int32, 1),
    errorCode: field(int16),
    members: field(array(struct({ memberId: field(string), groupInstanceId: field(nullableString), errorCode: field(int16) })), 3),
  }),
});

export const OffsetCommit = message({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 7,
  flexibleFrom: 8,
  request: struct({
    groupId: field(string),
    generationId: field(int32, 1, Infinity, -1),
    memberId: field(string, 1),
    groupInstanceId: field(nullableString, 7),
    retentionTimeMs: field(int64, 2, 4, -1),
    topics: field(
      topicPartitions({
        partitionIndex: field(int32),
        committedOffset: field(int64),
        committedLeaderEpoch: field(int32, 6, Infinity, -1),
        committedMetadata: field(nullableString),
      }),
    ),
  }),
  response: struct({
    throttleTimeMs: field(int32, 3),
    topics: field(topicPartitions({ partitionIndex: field(int32), errorCode: field(int16) })),
  }),
});

const OffsetFetchTopic = struct({ name: field(string), partitionIndexes: field(array(int32)) });

export const OffsetFetch = message({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 5,
  flexibleFrom: 6,
  request: struct({
    groupId: field(string),
    // Null (v2+): every partition the group has committed.
    topics: field(nullableFrom(2, nullableArray(OffsetFetchTopic), array(OffsetFetchTopic))),
  }),
  response: struct({
    throttleTimeMs: field(int32, 3),
    topics: field(
      topicPartitions({
        partitionIndex: field(int32),
        committedOffset: field(int64),
        committedLeaderEpoch: field(int32, 5, Infinity, -1),
        metadata: field(nullableString),
        errorCode: field(int16),
      }),
    ),
    errorCode: field(int16, 2),
  }),
});

export const ListGroups = message({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 3,
  request: struct({}),
  response: struct({
    throttleTimeMs: field(int32, 1),
    errorCode: field(int16),
    groups: field(array(struct({ groupId: field(string), protocolType: field(string) }))),
  }),
});

export const DeleteGroups = message({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 2,
  request: struct({ groupsNames: field(array(string)) }),
  response: struct({
    throttleTimeMs: field(int32),
    results: field(array(struct({ groupId: field(string), errorCode: field(int16) }))),
  }),
});

export const DescribeGroups = message({
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 5,
  request: struct({ groups: field(array(string)), includeAuthorizedOperations: field(bool, 3) }),
  response: struct({
    throttleTimeMs: field(int32, 1),
    groups: field(
      array(
        struct({
          errorCode: field(int16),
          groupId: field(string),
          groupState: field(string),
          protocolType: field(string),
          protocolData: field(string),
          members: field(
            array(
              struct({
                memberId: field(string),
                groupInstanceId: field(nullableString, 4),
                clientId: field(string),
                clientHost: field(string),
                memberMetadata: field(bytes),
                memberAssignment: field(bytes),
              }),
            ),
          ),
          authorizedOperations: field(int32, 3, Infinity, -2147483648),
        }),
      ),
    ),
  }),
});
