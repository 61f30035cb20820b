// The write path: POST /write/:topic, from validated records to offsets.
//
//   1. each record is encoded once (core/log.ts) and checked against the topic's max record size;
//   2. its partition comes from Kafka's default partitioner on the key (DESIGN.md I2);
//   3. each partition's records go to Redis in ONE appendRecords script call (core/lua/appendRecords.lua),
//      which assigns contiguous offsets atomically (I1); the calls for all partitions go out together.
//
// No ZooKeeper round trip (the topic comes from the in-process cache, I5) and no await per record.
//
// Redis keys touched, per partition (core/keys.ts):
//   trib:{<topicId>:<p>}:state, trib:{<topicId>:<p>}:segments, trib:{<topicId>:<p>}:seg:<base>
// and the channel trib:{<topicId>:<p>}:appended, which wakes long-polling readers.
import type { Redis } from 'ioredis';
import {
  assertRedisReady,
  encodeRecord,
  partitionFor,
  partitionKeys,
  redisCall,
  scriptError,
  segmentBase,
  segmentBases,
  TributaryError,
  type RecordInput,
  type Topic,
} from '@tributary/core';

export interface WriteResult {
  partition: number;
  offset: number;
  timestamp: number;
}

interface PartitionBatch {
  partition: number;
  /** Positions of the batch's records in the request, in request order. */
  positions: number[];
  payloads: string[];
}

// The append script returns -4 when the segment lists we declared do not cover the offsets it would assign
// (keys must be declared, the Redis Cluster rule). Each retry declares a wider range, so even heavy
// contention from other brokers converges within a few attempts.
const MAX_APPEND_ATTEMPTS = 4;
const RETRY_WIDENING = 8;

export class PartitionWriter {
  /**
   * Next offset last seen per partition state key: a hint for which segment lists to declare. A stale
   * hint costs a retry, never a wrong offset: the script assigns offsets itself.
   */
  readonly #nextOffsetHint = new Map<string, number>();
  /**
   * Records this process has sent to a partition and not yet seen answered. Commands on one connection run
   * in order, so those all land before the next append: declaring that much extra avoids retries.
   */
  readonly #inFlight = new Map<string, number>();

  constructor(private readonly redis: Redis) {}

  /** Appends records to `topic`; results come back in input order. */
  async write(topic: Topic, records: readonly RecordInput[]): Promise<WriteResult[]> {
    assertRedisReady(this.redis);
    const batches = this.#partition(topic, records);

    const results = new Array<WriteResult>(records.length);
    const appends = await Promise.allSettled(
      batches.map(async (batch) => {
        const [firstOffset, timestamp] = await this.#append(topic, batch);
        batch.positions.forEach((position, i) => {
          results[position] = { partition: batch.partition, offset: firstOffset + i, timestamp };
        });
      }),
    );
    const failed = appends.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return results;
  }

  #partition(topic: Topic, records: readonly RecordInput[]): PartitionBatch[] {
    const batches = new Map<number, PartitionBatch>();
    const { maxRecordBytes } = topic.config;
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
      const partition = partitionFor(record.key, topic.partitions);
      let batch = batches.get(partition);
      if (!batch) batches.set(partition, (batch = { partition, positions: [], payloads: [] }));
      batch.positions.push(position);
      batch.payloads.push(payload);
    });
    return [...batches.values()];
  }

  async #append(topic: Topic, { partition, payloads }: PartitionBatch): Promise<[number, number]> {
    const keys = partitionKeys({ topicId: topic.id, partition });
    const S = topic.config.segmentRecords;
    const ahead = this.#inFlight.get(keys.state) ?? 0;
    this.#inFlight.set(keys.state, ahead + payloads.length);
    let hint = this.#nextOffsetHint.get(keys.state) ?? 0;
    try {
      for (let attempt = 1; ; attempt++) {
        const firstBase = segmentBase(hint, S);
        const slack = ahead + S * RETRY_WIDENING ** (attempt - 1);
        const segments = segmentBases(firstBase, hint + payloads.length + slack, S).map(keys.segment);
        const [code, value = 0] = await redisCall(
          this.redis.appendRecords(2 + segments.length, keys.state, keys.segments, segments, S, firstBase, keys.appended, payloads),
          { write: true },
        );
        if (code >= 0) {
          this.#nextOffsetHint.set(keys.state, code + payloads.length);
          return [code, value];
        }
        if (code === -4 && attempt < MAX_APPEND_ATTEMPTS) {
          hint = value;
          continue;
        }
        this.#nextOffsetHint.delete(keys.state);
        throw code === -4
          ? new TributaryError('REDIS_UNAVAILABLE', 'the partition is too busy to append to; retry', { topic: topic.name, partition })
          : scriptError(code, { topic: topic.name, partition });
      }
    } finally {
      const left = (this.#inFlight.get(keys.state) ?? payloads.length) - payloads.length;
      if (left > 0) this.#inFlight.set(keys.state, left);
      else this.#inFlight.delete(keys.state);
    }
  }
}
