// The log: Produce, Fetch, ListOffsets. Record sets travel as raw bytes (`records`); record-batch.ts reads
// and writes the batches inside them.
import { array, field, int16, int32, int64, int8, message, nullableArray, nullableString, records, string, struct, topicPartitions } from '../schema.js';

export const Produce = message({
  apiKey: 0,
  name: 'Produce',
  // Record batch v2 is the only message format Tributary reads (an older one is CORRUPT_MESSAGE); clients
  // send it from v3 on. v0-2 are listed as well because librdkafka compresses with gzip only for a broker
  // whose Produce range includes v0; it negotiates the highest version, so it never sends them.
  minVersion: 0,
  maxVersion: 8,
  flexibleFrom: 9,
  request: struct({
    transactionalId: field(nullableString, 3),
    acks: field(int16),
    timeoutMs: field(int32),
    topicData: field(
      array(struct({ name: field(string), partitionData: field(array(struct({ index: field(int32), records: field(records) }))) })),
    ),
  }),
  response: struct({
    responses: field(
      array(
        struct({
          name: field(string),
          partitionResponses: field(
            array(
              struct({
                index: field(int32),
                errorCode: field(int16),
                baseOffset: field(int64),
                logAppendTimeMs: field(int64, 2, Infinity, -1),
                logStartOffset: field(int64, 5, Infinity, -1),
                recordErrors: field(array(struct({ batchIndex: field(int32), batchIndexErrorMessage: field(nullableString) })), 8),
                errorMessage: field(nullableString, 8),
              }),
            ),
          ),
        }),
      ),
    ),
    throttleTimeMs: field(int32, 1),
  }),
});

export const Fetch = message({
  apiKey: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  flexibleFrom: 12,
  request: struct({
    replicaId: field(int32),
    maxWaitMs: field(int32),
    minBytes: field(int32),
    maxBytes: field(int32, 3, Infinity, 0x7fffffff),
    isolationLevel: field(int8, 4),
    sessionId: field(int32, 7),
    sessionEpoch: field(int32, 7, Infinity, -1),
    topics: field(
      array(
        struct({
          topic: field(string),
          partitions: field(
            array(
              struct({
                partition: field(int32),
                currentLeaderEpoch: field(int32, 9, Infinity, -1),
                fetchOffset: field(int64),
                logStartOffset: field(int64, 5, Infinity, -1),
                partitionMaxBytes: field(int32),
              }),
            ),
          ),
        }),
      ),
    ),
    forgottenTopicsData: field(array(struct({ topic: field(string), partitions: field(array(int32)) })), 7),
    rackId: field(string, 11),
  }),
  response: struct({
    throttleTimeMs: field(int32, 1),
    errorCode: field(int16, 7),
    sessionId: field(int32, 7),
    responses: field(
      array(
        struct({
          topic: field(string),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32),
                errorCode: field(int16),
                highWatermark: field(int64),
                lastStableOffset: field(int64, 4, Infinity, -1),
                logStartOffset: field(int64, 5, Infinity, -1),
                abortedTransactions: field(nullableArray(struct({ producerId: field(int64), firstOffset: field(int64) })), 4),
                preferredReadReplica: field(int32, 11, Infinity, -1),
                records: field(records),
              }),
            ),
          ),
        }),
      ),
    ),
  }),
});

export const ListOffsets = message({
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 5,
  flexibleFrom: 6,
  request: struct({
    replicaId: field(int32),
    isolationLevel: field(int8, 2),
    topics: field(
      topicPartitions({
        partitionIndex: field(int32),
        currentLeaderEpoch: field(int32, 4, Infinity, -1),
        timestamp: field(int64),
      }),
    ),
  }),
  response: struct({
    throttleTimeMs: field(int32, 2),
    topics: field(
      topicPartitions({
        partitionIndex: field(int32),
        errorCode: field(int16),
        timestamp: field(int64, 1, Infinity, -1),
        offset: field(int64, 1, Infinity, -1),
        leaderEpoch: field(int32, 4, Infinity, -1),
      }),
    ),
  }),
});

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
