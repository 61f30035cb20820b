// The write path: POST /write/:topic, from validated records to offsets.
//
//   1. each record is encoded once (core/log.ts) and checked against the topic's max record size;
//   2. its partition comes from Kafka's default partitioner on the key (docs/invariants.md I2); keyless records
//      ("key": null) of one request all go to one partition, the next request's to the next one (round robin
//      per topic in this broker): Kafka's sticky partitioner with one batch per request, so a batch of keyless
//      records is still one script call. A keyless record with an id is placed by its id instead, so that a
//      retry lands where the first copy did and is recognised as a duplicate;
//   3. each partition's records go to Redis in ONE append script call (LogStore.append, core/lua/
//      appendRecords.lua), which assigns contiguous offsets atomically (I1); the calls for all partitions go
//      out together, each to its partition's shard on a Redis Cluster. While a partition has a call in
//      flight, the records of other requests for it wait and then share the next call (group-commit.ts),
//      each request getting its own offsets back: under load one script run serves many requests;
//   4. a record with an `id` already appended within the topic's dedup window is not appended again: the
//      check is inside the same script, atomic with the append (I8), and the answer is the original record's
//      partition, offset and timestamp with `duplicate: true`;
//   5. every record gets its own outcome: a partition whose append failed does not undo the others, so a
//      client retries only what failed (PARTIAL_WRITE).
//
// No ZooKeeper round trip (the topic comes from the in-process cache, I5) and no await per record.
//
// Redis keys touched, per partition (core/keys.ts):
//   trib:{<topicId>:<p>}:state, trib:{<topicId>:<p>}:segments, trib:{<topicId>:<p>}:seg:<base>,
//   trib:{<topicId>:<p>}:ids, trib:{<topicId>:<p>}:ids-log
// and the shard channel trib:{<topicId>:<p>}:appended, which wakes long-polling readers.
import {
  encodeRecord,
  partitionFor,
  TributaryError,
  assertRedisReady,
  type ErrorCode,
  type LogStore,
  type RecordInput,
  type ServiceMetrics,
  type Topic,
} from '@tributary/core';
import { GroupCommit, type Append } from './group-commit.js';

export interface StoredResult {
  partition: number;
  offset: number;
  timestamp: number;
  /** The record's id was already in the window: this is where the first record with that id went. */
  duplicate?: true;
}

/** A record that was not stored, and why: retry it if `retriable`. */
export interface FailedResult {
  partition: number;
  code: ErrorCode;
  message: string;
  retriable: boolean;
}

export type WriteResult = StoredResult | FailedResult;

export const isStored = (result: WriteResult): result is StoredResult => 'offset' in result;

interface PartitionBatch {
  partition: number;
  /** Positions of the batch's records in the request, in request order. */
  positions: number[];
  payloads: string[];
  /** Record ids ('' for none), only once some record of the batch has one. */
  ids: string[] | undefined;
}

export class PartitionWriter {
  /** Per topic id: the partition the next request's keyless records go to. */
  readonly #keyless = new Map<string, number>();

  /** LogStore.append behind a group commit: concurrent requests' records for one partition share a call. */
  readonly #append: Append;

  constructor(
    private readonly logs: LogStore,
    /** Counts the records and bytes stored (duplicates are not stored again, so not counted). */
    private readonly metrics?: ServiceMetrics,
  ) {
    this.#append = new GroupCommit(logs).append;
  }

  /**
   * Appends records to `topic` and answers each record's result in input order. When no record was stored,
   * the failure is thrown as it is; when only some were, the answer mixes stored and failed results.
   */
  async write(topic: Topic, records: readonly RecordInput[]): Promise<WriteResult[]> {
    assertRedisReady(this.logs.redis);
    const batches = this.#partition(topic, records);

    const results = new Array<WriteResult>(records.length);
    const appends = await Promise.allSettled(batches.map((batch) => this.#append(topic, batch.partition, batch.payloads, batch.ids)));
    let firstFailure: unknown;
    appends.forEach((outcome, i) => {
      const { partition, positions, payloads } = batches[i]!;
      if (outcome.status === 'fulfilled') {
        const { firstOffset, timestamp, duplicates } = outcome.value;
        if (this.metrics) countStored(this.metrics, topic.name, payloads, duplicates);
        let offset = firstOffset;
        positions.forEach((position, j) => {
          const original = duplicates?.get(j);
          results[position] = original ? { partition, ...original, duplicate: true } : { partition, offset: offset++, timestamp };
        });
        return;
      }
      firstFailure ??= outcome.reason;
      const failure = outcome.reason instanceof TributaryError ? outcome.reason : new TributaryError('INTERNAL_ERROR');
      const failed: FailedResult = { partition, code: failure.code, message: failure.message, retriable: failure.retriable };
      for (const position of positions) results[position] = failed;
    });
    if (firstFailure !== undefined && !appends.some((outcome) => outcome.status === 'fulfilled')) throw firstFailure;
    return results;
  }

  #partition(topic: Topic, records: readonly RecordInput[]): PartitionBatch[] {
    const batches = new Map<number, PartitionBatch>();
    const { maxRecordBytes } = topic.config;
    let keyless: number | undefined;
    records.forEach((record, position) => {
      const payload = encodeRecord(record);
      // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when the limit could be reached.
      if (payload.length * 3 > maxRecordBytes && Buffer.byteLength(payload) > maxRecordBytes) {
        const where = records.length > 1 ? `record ${position}` : 'the record';
        throw new TributaryError(
          'RECORD_TOO_LARGE',
          `${where} is ${Buffer.byteLength(payload)} bytes as stored; topic "${topic.name}" accepts at most ${maxRecordBytes}`,
          { topic: topic.name },
        );
      }
      const partition =
        record.key !== null
          ? partitionFor(record.key, topic.partitions)
          : // A keyless record with an id goes where its id hashes to, so a retry meets its first copy's dedup state.
            record.id !== undefined
            ? partitionFor(record.id, topic.partitions)
            : (keyless ??= this.#nextKeylessPartition(topic));
      let batch = batches.get(partition);
      if (!batch) batches.set(partition, (batch = { partition, positions: [], payloads: [], ids: undefined }));
      if (record.id !== undefined && !batch.ids) batch.ids = batch.payloads.map(() => '');
      batch.ids?.push(record.id ?? '');
      batch.positions.push(position);
      batch.payloads.push(payload);
    });
    return [...batches.values()];
  }

  #nextKeylessPartition(topic: Topic): number {
    const next = this.#keyless.get(topic.id) ?? Math.floor(Math.random() * topic.partitions);
    this.#keyless.set(topic.id, (next + 1) % topic.partitions);
    return next % topic.partitions;
  }
}

function countStored(metrics: ServiceMetrics, topic: string, payloads: readonly string[], duplicates: ReadonlyMap<number, unknown> | undefined): void {
  let records = 0;
  let bytes = 0;
  payloads.forEach((payload, j) => {
    if (duplicates?.has(j)) return;
    records++;
    bytes += Buffer.byteLength(payload);
  });
  metrics.written(topic, records, bytes);
}
