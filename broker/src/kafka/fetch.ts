// Fetch and ListOffsets: the Kafka read path. No consumer state here: a Kafka consumer says where to read
// from (its group's committed offsets are OffsetFetch's business).
//
// Fetch, per partition asked for: its offsets (LogStore.offsets), then the stored entries from the fetch
// offset (LogStore.readRecords: bounded in bytes inside Redis, at least one record, O(records returned)
// wherever the offset is, docs/invariants.md I3), turned into record batches: consecutive records with the same
// append time (one append script call stamps all its records alike) form one batch of timestamp type
// LogAppendTime, so every record keeps its exact append time. Offsets are Tributary's offsets: the same
// numbers an HTTP reader sees.
//
// Long polling (max_wait_ms, min_bytes): while fewer than min_bytes are found, the fetch sleeps on the
// partitions' `appended` shard channels (core AppendWaiters, the gateway's mechanism: one subscriber
// connection per broker, a publish after every append) and reads again when one fires, until the deadline.
// A waiter is registered, then the partitions are read once more, then it sleeps, so an append between the
// read and the subscription is not missed. Polling instead would cost Redis a read per waiting consumer
// every interval, and add that interval to every record's latency.
//
// Redis keys touched (core/keys.ts): trib:{<topicId>:<p>}:state, trib:{<topicId>:<p>}:seg:<base>, and the
// shard channel trib:{<topicId>:<p>}:appended (through AppendWaiters).
import { decodeEntry, partitionKeys, type AppendWaiters, type LogStore, type PartitionOffsets, type Topic, type TopicCache } from '@tributary/core';
import {
  EARLIEST_TIMESTAMP,
  encodeRecordBatch,
  KafkaError,
  LATEST_TIMESTAMP,
  type Fetch,
  type KafkaRecord,
  type ListOffsets,
  type RequestOf,
  type ResponseOf,
} from '@tributary/kafka';
import { kafkaErrorCode } from './errors.js';
import type { RequestContext } from './handlers.js';
import { headersToKafka, valueToBytes } from './record-mapping.js';
import { topicResource, type KafkaAccess, type Session } from './sasl.js';

type FetchRequest = RequestOf<typeof Fetch>;
type FetchResponse = ResponseOf<typeof Fetch>;
type PartitionData = FetchResponse['responses'][number]['partitions'][number];

const EMPTY = Buffer.alloc(0);

/** The longest a fetch waits, whatever max_wait_ms says (the gateway's wait_ms limit). */
const MAX_WAIT_MS = 30_000;

/** Stored entries of consecutive offsets from `first` as record batches, one per run of equal append times. */
export function entriesToBatches(first: number, entries: readonly string[]): Buffer {
  const batches: Buffer[] = [];
  let run: KafkaRecord[] = [];
  let runBase = first;
  let runTimestamp = 0;
  const flush = () => {
    if (run.length > 0) batches.push(encodeRecordBatch({ baseOffset: runBase, baseTimestamp: runTimestamp, maxTimestamp: runTimestamp, logAppendTime: true, records: run }));
    run = [];
  };
  entries.forEach((entry, i) => {
    const record = decodeEntry(entry, first + i);
    if (run.length > 0 && record.timestamp !== runTimestamp) flush();
    if (run.length === 0) {
      runBase = record.offset;
      runTimestamp = record.timestamp;
    }
    run.push({
      offsetDelta: record.offset - runBase,
      timestampDelta: 0,
      key: record.key === null ? null : Buffer.from(record.key, 'utf8'),
      value: valueToBytes(record.value),
      headers: headersToKafka(record.headers),
    });
  });
  flush();
  return Buffer.concat(batches);
}

export function fetch(logs: LogStore, topics: TopicCache, waiters: AppendWaiters, access: KafkaAccess) {
  /** One pass over every partition asked for, within the byte budgets. */
  const readAll = async (request: FetchRequest, session: Session): Promise<{ responses: FetchResponse['responses']; bytes: number }> => {
    let budget = Math.max(request.maxBytes, 1);
    let bytes = 0;
    const responses: FetchResponse['responses'] = [];
    for (const { topic: name, partitions } of request.topics) {
      // Not allowed reads as unknown to the partition reader; its answer then says why.
      const allowed = access.allowed(session, 'consume', topicResource(name));
      const topic = allowed ? topics.get(name) : undefined;
      const read = await Promise.all(partitions.map((p) => readPartition(topic, p.partition, p.fetchOffset, p.partitionMaxBytes, budget)));
      if (!allowed) for (const data of read) data.errorCode = KafkaError.TOPIC_AUTHORIZATION_FAILED;
      for (const data of read) {
        const size = data.records?.length ?? 0;
        bytes += size;
        budget = Math.max(budget - size, 0);
      }
      responses.push({ topic: name, partitions: read });
    }
    return { responses, bytes };
  };

  const readPartition = async (topic: Topic | undefined, partition: number, fetchOffset: number, partitionMaxBytes: number, budget: number): Promise<PartitionData> => {
    const data: PartitionData = {
      partitionIndex: partition,
      errorCode: KafkaError.NONE,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      abortedTransactions: null,
      preferredReadReplica: -1,
      // Empty, not null: librdkafka refuses a null record set.
      records: EMPTY,
    };
    if (!topic || partition < 0 || partition >= topic.partitions) return { ...data, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION };
    try {
      const offsets = await logs.offsets(topic, partition);
      if (offsets.deleted) return { ...data, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION };
      const known = { ...data, highWatermark: offsets.nextOffset, lastStableOffset: offsets.nextOffset, logStartOffset: offsets.logStartOffset };
      if (fetchOffset < offsets.logStartOffset || fetchOffset > offsets.nextOffset) return { ...known, errorCode: KafkaError.OFFSET_OUT_OF_RANGE };
      // The budget spent, later partitions answer no records (never an error: the client asks again).
      if (fetchOffset === offsets.nextOffset || budget <= 0) return known;
      const run = await logs.readRecords(topic, partition, fetchOffset, offsets.nextOffset, Math.max(Math.min(partitionMaxBytes, budget), 1));
      return { ...known, records: run.entries.length > 0 ? entriesToBatches(run.first, run.entries) : EMPTY };
    } catch (err) {
      return { ...data, errorCode: kafkaErrorCode(err) };
    }
  };

  const channelsOf = (request: FetchRequest, session: Session): string[] =>
    request.topics.flatMap(({ topic: name, partitions }) => {
      const topic = topics.get(name);
      if (!topic || !access.allowed(session, 'consume', topicResource(name))) return [];
      return partitions.filter((p) => p.partition >= 0 && p.partition < topic.partitions).map((p) => partitionKeys({ topicId: topic.id, partition: p.partition }).appended);
    });

  return async (request: FetchRequest, { signal, session }: RequestContext): Promise<FetchResponse> => {
    const answer = ({ responses }: { responses: FetchResponse['responses'] }): FetchResponse => ({ throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses });
    const deadline = Date.now() + Math.min(Math.max(request.maxWaitMs, 0), MAX_WAIT_MS);
    let result = await readAll(request, session);
    const enough = () => result.bytes >= request.minBytes || Date.now() >= deadline || signal.aborted;
    if (enough()) return answer(result);
    const channels = channelsOf(request, session);
    if (channels.length === 0) return answer(result);
    let waiter;
    try {
      waiter = await waiters.wait(channels, deadline, signal);
    } catch {
      // No subscription to wait on (Redis away): answer what there is; the client fetches again.
      return answer(result);
    }
    try {
      for (;;) {
        result = await readAll(request, session);
        if (enough() || !(await waiter.changed())) return answer(result);
      }
    } finally {
      waiter.release();
    }
  };
}

export function listOffsets(logs: LogStore, topics: TopicCache, access: KafkaAccess) {
  const offsetAt = async (topic: Topic, offsets: PartitionOffsets, timestamp: number): Promise<{ offset: number; timestamp: number }> => {
    if (timestamp === LATEST_TIMESTAMP) return { offset: offsets.nextOffset, timestamp: -1 };
    if (timestamp === EARLIEST_TIMESTAMP) return { offset: offsets.logStartOffset, timestamp: -1 };
    const offset = await logs.offsetForTime(topic, offsets, timestamp);
    if (offset >= offsets.nextOffset) return { offset: -1, timestamp: -1 };
    const { entries } = await logs.readRecords(topic, offsets.partition, offset, offset + 1, 1);
    return { offset, timestamp: entries[0] === undefined ? -1 : decodeEntry(entries[0], offset).timestamp };
  };

  return async (request: RequestOf<typeof ListOffsets>, { session }: RequestContext): Promise<ResponseOf<typeof ListOffsets>> => ({
    throttleTimeMs: 0,
    topics: await Promise.all(
      request.topics.map(async ({ name, partitions }) => {
        const topic = topics.get(name);
        return {
          name,
          partitions: await Promise.all(
            partitions.map(async ({ partitionIndex, timestamp }) => {
              const answer = { partitionIndex, errorCode: KafkaError.NONE as number, timestamp: -1, offset: -1, leaderEpoch: 0 };
              if (!access.allowed(session, 'describe', topicResource(name))) return { ...answer, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED };
              if (!topic || partitionIndex < 0 || partitionIndex >= topic.partitions) return { ...answer, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION };
              try {
                const offsets = await logs.offsets(topic, partitionIndex);
                if (offsets.deleted) return { ...answer, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION };
                return { ...answer, ...(await offsetAt(topic, offsets, timestamp)) };
              } catch (err) {
                return { ...answer, errorCode: kafkaErrorCode(err) };
              }
            }),
          ),
        };
      }),
    ),
  });
}
