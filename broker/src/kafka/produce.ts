// Produce and InitProducerId: the Kafka write path.
//
//   1. each partition's record set is decoded (record batch v2, compression none or gzip; CRC checked);
//   2. each record maps onto a Tributary record (record-mapping.ts) and is encoded once as stored (core/log.ts),
//      checked against the topic's max record size;
//   3. the partition's records go to Redis in ONE append script call (LogStore.append), as over HTTP: offsets
//      contiguous and atomic (docs/invariants.md I1), timestamps from Redis' clock. The partition is the one the client
//      chose, as in Kafka (Kafka's default partitioner is Tributary's, so a key lands where an HTTP write of the
//      same key does);
//   4. the answer goes out only once every append answered (acks 1 and all alike: a record is acknowledged
//      once it is in Redis, I6); acks=0 gets no answer at all, as in Kafka.
//
// Idempotent producers: InitProducerId hands out a fresh producer id (KafkaStore); a batch from producer p,
// epoch e, with base sequence s gives its i-th record the id "kafka:p:e:(s+i)", which the partition's dedup
// state checks atomically with the append (I8). A retried batch is therefore stored once and answered with
// the offsets of its first copy, within the topic's dedup window (dedup_window_ms, 2 minutes by default,
// Kafka's delivery.timeout.ms). Before the append, the batch's sequence is checked against the producer's
// previous batch on the partition (checkSequence-1.lua): a gap is OUT_OF_ORDER_SEQUENCE_NUMBER and nothing
// is stored. The check is its own script call just before the append, on the same shard; a producer's
// batches to a partition arrive on one connection, which the listener serves one request at a time, so
// nothing of the producer's own runs between the two.
//
// Redis keys touched, per partition: as the HTTP write path (broker/src/write.ts), through LogStore.append.
import { encodeRecord, topicConfigDefaults, type Config, type KafkaStore, type LogStore, type Topic, type TopicCache } from '@tributary/core';
import {
  CorruptBatchError,
  decodeRecordBatches,
  KafkaError,
  UnsupportedCompressionError,
  type InitProducerId,
  type KafkaErrorCode,
  type Produce,
  type RecordBatch,
  type RequestOf,
  type ResponseOf,
} from '@tributary/kafka';
import { errorMessage, kafkaErrorCode } from './errors.js';
import type { RequestContext } from './handlers.js';
import { topicResource, type KafkaAccess } from './sasl.js';
import { fromKafkaRecord } from './record-mapping.js';

type PartitionResponse = ResponseOf<typeof Produce>['responses'][number]['partitionResponses'][number];

class Refused extends Error {
  constructor(
    readonly errorCode: KafkaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const failed = (index: number, errorCode: number, message: string | null): PartitionResponse => ({
  index,
  errorCode,
  baseOffset: -1,
  logAppendTimeMs: -1,
  logStartOffset: -1,
  recordErrors: [],
  errorMessage: message,
});

export function producerIdFor(batch: Pick<RecordBatch, 'producerId' | 'producerEpoch' | 'baseSequence'>, index: number): string | undefined {
  if (batch.producerId < 0 || batch.baseSequence < 0) return undefined;
  return `kafka:${batch.producerId}:${batch.producerEpoch}:${batch.baseSequence + index}`;
}

export function produce(logs: LogStore, topics: TopicCache, config: Config, store: KafkaStore, access: KafkaAccess) {
  const limits = { maxUncompressedBytes: config.maxBodyBytes };

  /** Payloads (as stored) and ids of one partition's record set. */
  const prepare = (topic: Topic, records: Buffer | null) => {
    let batches: RecordBatch[];
    try {
      batches = decodeRecordBatches(records ?? Buffer.alloc(0), limits);
    } catch (err) {
      if (err instanceof UnsupportedCompressionError) throw new Refused(KafkaError.UNSUPPORTED_COMPRESSION_TYPE, err.message);
      if (err instanceof CorruptBatchError) throw new Refused(KafkaError.CORRUPT_MESSAGE, err.message);
      throw new Refused(KafkaError.CORRUPT_MESSAGE, errorMessage(err));
    }
    const payloads: string[] = [];
    const ids: string[] = [];
    const sequenced = batches.filter((b) => producerIdFor(b, 0) !== undefined && b.records.length > 0);
    for (const batch of batches) {
      if (batch.transactional || batch.control) throw new Refused(KafkaError.INVALID_RECORD, 'transactions are not supported');
      batch.records.forEach((record, i) => {
        const mapped = fromKafkaRecord(record);
        if ('problem' in mapped) throw new Refused(KafkaError.INVALID_RECORD, mapped.problem);
        const payload = encodeRecord(mapped);
        if (payload.length * 3 > topic.config.maxRecordBytes && Buffer.byteLength(payload) > topic.config.maxRecordBytes) {
          throw new Refused(KafkaError.MESSAGE_TOO_LARGE, `a record is ${Buffer.byteLength(payload)} bytes as stored; topic "${topic.name}" accepts at most ${topic.config.maxRecordBytes}`);
        }
        payloads.push(payload);
        ids.push(producerIdFor(batch, i) ?? '');
      });
    }
    return { payloads, ids: ids.some((id) => id !== '') ? ids : undefined, sequenced };
  };

  /** Kafka's sequence rule, batch by batch, before anything is appended. */
  const checkSequences = async (topic: Topic, partition: number, batches: readonly RecordBatch[]) => {
    const window = topic.config.dedupWindowMs ?? topicConfigDefaults.dedupWindowMs;
    if (window === 0) return;
    for (const batch of batches) {
      const producer = { id: batch.producerId, epoch: batch.producerEpoch };
      const expected = await store.checkSequence({ topicId: topic.id, partition }, producer, batch.baseSequence, batch.records.length, window);
      if (expected >= 0 && batch.baseSequence > expected) {
        throw new Refused(KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${batch.producerId} sent sequence ${batch.baseSequence} to partition ${partition}; ${expected} was expected`);
      }
    }
  };

  const writePartition = async (topic: Topic | undefined, index: number, records: Buffer | null): Promise<PartitionResponse> => {
    if (!topic || index < 0 || index >= topic.partitions) return failed(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION, null);
    try {
      const { payloads, ids, sequenced } = prepare(topic, records);
      if (payloads.length === 0) return failed(index, KafkaError.CORRUPT_MESSAGE, 'the record set holds no records');
      await checkSequences(topic, index, sequenced);
      const { firstOffset, timestamp, duplicates } = await logs.append(topic, index, payloads, ids);
      // The batch's base offset is its first record's: a duplicate's (a retried batch) is where its first copy went.
      const first = duplicates?.get(0) ?? { offset: firstOffset, timestamp };
      return { ...failed(index, KafkaError.NONE, null), baseOffset: first.offset, logAppendTimeMs: first.timestamp };
    } catch (err) {
      if (err instanceof Refused) return failed(index, err.errorCode, err.message);
      return failed(index, kafkaErrorCode(err), errorMessage(err));
    }
  };

  return async (request: RequestOf<typeof Produce>, { session }: RequestContext): Promise<ResponseOf<typeof Produce> | undefined> => {
    const responses = await Promise.all(
      request.topicData.map(async ({ name, partitionData }) => {
        if (!access.allowed(session, 'produce', topicResource(name))) {
          return { name, partitionResponses: partitionData.map(({ index }) => failed(index, KafkaError.TOPIC_AUTHORIZATION_FAILED, null)) };
        }
        const topic = topics.get(name);
        const partitionResponses = await Promise.all(partitionData.map(({ index, records }) => writePartition(topic, index, records)));
        return { name, partitionResponses };
      }),
    );
    if (request.acks === 0) return undefined;
    return { responses, throttleTimeMs: 0 };
  };
}

export function initProducerId(store: KafkaStore) {
  return async (request: RequestOf<typeof InitProducerId>): Promise<ResponseOf<typeof InitProducerId>> => {
    if (request.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
    }
    try {
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: await store.nextProducerId(), producerEpoch: 0 };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCode(err) === KafkaError.UNKNOWN_SERVER_ERROR ? KafkaError.UNKNOWN_SERVER_ERROR : KafkaError.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
    }
  };
}
