// The read path: GET /read/:email/:topic/:key, from a consumer's offset to records.
//
//   1. the partition's state (LogStore.offsets): log start, next offset, deleted (a deleted topic answers 404);
//   2. ConsumerStore.position (core/lua/readPosition-2.lua) on the consumer's keys: checks the subscription
//      (403) and picks [from, to) from the stored offset (moved up to the log start if retention passed it);
//   3. LogStore.readRecords (core/lua/readRecords.lua): the stored entries from `from` on, at most `max_bytes`
//      of them (at least one), in small steps over the fixed-size segments, so the work is O(records
//      returned) whatever the offset or the partition's length (DESIGN.md I3), and memory stays bounded
//      however large the records are;
//   4. with auto-commit, ConsumerStore.commitRead (core/lua/commitRead-2.lua) moves the offset past what was
//      fetched only if it is still at `from`: a read that failed never moved it (I9), and of two concurrent
//      reads of one consumer that fetched the same records only the first answers them; the other reads
//      again from the new offset.
// Stored records are spliced into the answer as JSON text (core/log.ts messageJson), never parsed.
//
// Three or four round trips and no cross-slot script: the partition and the consumer live on different hash
// slots. No ZooKeeper (the topic comes from the in-process cache, I5) and no await per record. A long poll
// (wait_ms) sleeps on the partition's `appended` shard channel (waiters.ts) and repeats steps 1-4 when it fires.
//
// Redis keys touched (core/keys.ts):
//   trib:{<topicId>:<p>}:state, trib:{<topicId>:<p>}:seg:<base>                        (the partition)
//   trib:consumer:{<email>}:subscriptions, trib:consumer:{<email>}:offsets:<topic>    (the consumer)
//   and the shard channel trib:{<topicId>:<p>}:appended, through waiters.ts.
import {
  assertRedisReady,
  partitionFor,
  entryKeyJson,
  messageJson,
  partitionKeys,
  topicNotFound,
  TributaryError,
  type Storage,
  type Topic,
} from '@tributary/core';
import type { AppendWaiters } from './waiters.js';

export interface ReadRequest {
  /** Canonical (lowercased) email: see email.ts. */
  email: string;
  topic: Topic;
  /** Picks the partition, as the broker's partitioner does. */
  key: string;
  /** Most records to scan. */
  max: number;
  /** Most bytes of stored records to scan; the first record is returned whatever its size. */
  maxBytes: number;
  /** Move the consumer's offset past what is scanned (auto-commit); false only looks. */
  commit: boolean;
  /** Return only records whose key equals `key`; the offset still moves past every record scanned. */
  onlyKey: boolean;
  /** How long to wait for a record when there is none, in ms; 0 answers at once. */
  waitMs: number;
  /** Aborted when the client goes away: a waiting read stops waiting. */
  signal?: AbortSignal;
}

export interface ReadResult {
  email: string;
  topic: string;
  key: string;
  partition: number;
  /** First offset scanned (after any reset). */
  start_offset: number;
  /** Where the next read starts: past every record scanned. */
  next_offset: number;
  log_start_offset: number;
  high_watermark: number;
  lag: number;
  committed: boolean;
  /** The stored offset had fallen below the log start (retention dropped those records) and was moved. */
  offset_reset?: { from: number; to: number };
  /** Each message as JSON text: {offset, timestamp, key, headers, value}. */
  messages: string[];
}

/** The answer to GET /read, as JSON text: the messages are spliced in as stored, not re-serialized. */
export function readResultJson({ messages, ...fields }: ReadResult): string {
  return `${JSON.stringify(fields).slice(0, -1)},"messages":[${messages.join(',')}]}`;
}

/**
 * A read whose commit lost to another read of the same consumer reads again; each round one of them wins, so
 * this bounds how many concurrent reads of one consumer and partition an answer waits behind.
 */
const MAX_COMMIT_ATTEMPTS = 64;

export class PartitionReader {
  constructor(
    private readonly storage: Storage,
    private readonly waiters: AppendWaiters,
  ) {}

  async read(request: ReadRequest): Promise<ReadResult> {
    const deadline = Date.now() + request.waitMs;
    const partition = partitionFor(request.key, request.topic.partitions);
    const first = await this.#readOnce(request, partition);
    if (first.messages.length > 0 || request.waitMs === 0) return first;

    const { appended } = partitionKeys({ topicId: request.topic.id, partition });
    const waiter = await this.waiters.wait(appended, deadline, request.signal);
    try {
      let result = first;
      let outage: TributaryError | undefined;
      for (;;) {
        // Read again before sleeping: a record appended after the read above but before the subscription
        // published its wake-up to nobody. Concurrent readers of this consumer that wake together are safe:
        // each claims its own range.
        try {
          result = joinReads(result, await this.#readOnce(request, partition));
          outage = undefined;
        } catch (err) {
          // Redis went away mid-wait and nothing was sent: keep waiting, the reconnect wakes us to try again.
          // Anything else, including a claim whose outcome is unknown, the client must hear of now.
          if (!(err instanceof TributaryError) || err.code !== 'REDIS_UNAVAILABLE') throw err;
          outage = err;
        }
        if (result.messages.length > 0) return result;
        if (!(await waiter.changed())) {
          if (outage) throw outage;
          return result;
        }
      }
    } finally {
      waiter.release();
    }
  }

  async #readOnce(request: ReadRequest, partition: number): Promise<ReadResult> {
    const { email, topic, max, maxBytes, commit } = request;
    const { logs, consumers, redis } = this.storage;
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      assertRedisReady(redis);
      const { logStartOffset, nextOffset, deleted } = await logs.offsets(topic, partition);
      // Deleted, or gone since: the topic cache has not caught up yet.
      if (deleted) throw topicNotFound(topic.name);

      const at = { email, topic, partition, logStartOffset, nextOffset, max };
      const position = await consumers.position(at);
      const { first, entries } = await logs.readRecords(topic, partition, position.from, position.to, maxBytes);
      const scannedTo = first + entries.length;
      const moves = scannedTo !== position.from || position.resetFrom !== undefined;
      // Another read of this consumer committed first: read again from where it left the offset.
      if (commit && moves && !(await consumers.commitRead(at, position, scannedTo))) continue;

      const messages: string[] = [];
      const onlyKeyJson = request.onlyKey ? JSON.stringify(request.key) : undefined;
      entries.forEach((entry, i) => {
        if (onlyKeyJson === undefined || entryKeyJson(entry) === onlyKeyJson) messages.push(messageJson(entry, first + i));
      });
      return {
        email,
        topic: topic.name,
        key: request.key,
        partition,
        start_offset: position.from,
        next_offset: scannedTo,
        log_start_offset: logStartOffset,
        high_watermark: nextOffset,
        lag: nextOffset - scannedTo,
        committed: commit,
        ...(position.resetFrom === undefined ? {} : { offset_reset: { from: position.resetFrom, to: position.from } }),
        messages,
      };
    }
    throw new TributaryError(
      'CONSUMER_BUSY',
      `${MAX_COMMIT_ATTEMPTS} reads of ${email} on topic "${topic.name}" partition ${partition} committed before this one could; retry`,
      { topic: topic.name, partition, email },
    );
  }
}

/** A long poll's answer: what the last read returned, over the whole range the poll scanned. */
function joinReads(earlier: ReadResult, later: ReadResult): ReadResult {
  const offsetReset = earlier.offset_reset ?? later.offset_reset;
  return {
    ...later,
    start_offset: earlier.start_offset,
    ...(offsetReset ? { offset_reset: offsetReset } : {}),
  };
}
