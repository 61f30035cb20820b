// The read path: GET /read/:email/:topic/:key (the key picks the partition) and ?partition=N, from a
// consumer's offset to records. A whole-topic read (topic-read.ts) runs this for each partition.
//
//   1. the partition's state (LogStore.offsets): log start, next offset, deleted (a deleted topic answers 404);
//   2. ConsumerStore.position (core/lua/readPosition-2.lua) on the consumer's keys: checks the subscription
//      (403) and picks [from, to) from the stored offset (moved up to the log start if retention passed it);
//   3. LogStore.readRecords (core/lua/readRecords.lua): the stored entries from `from` on, at most `max_bytes`
//      of them (at least one), in small steps over the fixed-size segments, so the work is O(records
//      returned) whatever the offset or the partition's length (docs/invariants.md I3), and memory stays bounded
//      however large the records are;
//   4. with auto-commit, ConsumerStore.commitRead (core/lua/commitRead-2.lua) moves the offset past what was
//      fetched only if it is still at `from`: a read that failed never moved it (I9), and of two concurrent
//      reads of one consumer that fetched the same records only the first answers them; the other reads
//      again from the new offset.
// Stored records are spliced into the answer as JSON text (core/log.ts messageJson), never parsed.
//
// Three or four round trips and no cross-slot script: the partition and the consumer live on different hash
// slots. No ZooKeeper (the topic comes from the in-process cache, I5) and no await per record. A long poll
// (wait_ms) sleeps on the partition's `appended` shard channel (long-poll.ts) and repeats steps 1-4 when it
// fires.
//
// Redis keys touched (core/keys.ts):
//   trib:{<topicId>:<p>}:state, trib:{<topicId>:<p>}:seg:<base>                        (the partition)
//   trib:consumer:{<email>}:subscriptions, trib:consumer:{<email>}:offsets:<topic>    (the consumer)
//   and the shard channel trib:{<topicId>:<p>}:appended, through waiters.ts.
import {
  assertRedisReady,
  entryKeyJson,
  messageJson,
  partitionKeys,
  topicNotFound,
  TributaryError,
  withMessagesJson,
  type PartitionReadAnswer,
  type ServiceMetrics,
  type Storage,
  type Topic,
} from '@tributary/core';
import { longPoll } from './long-poll.js';
import type { AppendWaiters } from './waiters.js';

export interface ReadRequest {
  /** Canonical (lowercased) email: see email.ts. */
  email: string;
  topic: Topic;
  partition: number;
  /** The key that picked the partition (GET /read/:email/:topic/:key): answered back, and used by onlyKey. */
  key?: string;
  /** Each message names its partition (reads by partition or topic; the key route keeps its original shape). */
  labelPartition?: boolean;
  /** Most records to scan. */
  max: number;
  /** Most bytes of stored records to scan; the first record is returned whatever its size. */
  maxBytes: number;
  /** Move the consumer's offset past what is scanned (auto-commit); false only looks. */
  commit: boolean;
  /** Return only records whose key equals `key`; the offset still moves past every record scanned. */
  onlyKey?: boolean;
  /** How long to wait for a record when there is none, in ms; 0 answers at once. */
  waitMs: number;
  /** Aborted when the client goes away: a waiting read stops waiting. */
  signal?: AbortSignal;
}

/**
 * A read of one partition, as GET /read answers it (core/src/protocol/reads.ts), with each message as JSON text:
 * {offset, timestamp, key, headers, value} (and `partition` first when the read labels it).
 */
export type ReadResult = Omit<PartitionReadAnswer, 'messages'> & { messages: string[] };

/** The answer to GET /read, as JSON text: the messages are spliced in as stored, not re-serialized. */
export function readResultJson({ messages, ...fields }: ReadResult): string {
  return withMessagesJson(fields, messages);
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
    /** Counts the records answered and their bytes; whole-topic reads come through readOnce too. */
    private readonly metrics?: ServiceMetrics,
  ) {}

  async read(request: ReadRequest): Promise<ReadResult> {
    const first = await this.readOnce(request, request.max, request.maxBytes);
    if (first.messages.length > 0 || request.waitMs === 0) return first;
    const { appended } = partitionKeys({ topicId: request.topic.id, partition: request.partition });
    return longPoll(this.waiters, {
      first,
      channels: () => [appended],
      deadline: Date.now() + request.waitMs,
      signal: request.signal,
      readAgain: () => this.readOnce(request, request.max, request.maxBytes),
      join: joinReads,
    });
  }

  /** One read of the request's partition, of at most `max` records and about `maxBytes`, without waiting. */
  async readOnce(request: ReadRequest, max: number, maxBytes: number): Promise<ReadResult> {
    const { email, topic, partition, commit } = request;
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
      const label = request.labelPartition ? `"partition":${partition},` : '';
      entries.forEach((entry, i) => {
        if (onlyKeyJson === undefined || entryKeyJson(entry) === onlyKeyJson) messages.push(messageJson(entry, first + i, label));
      });
      if (this.metrics && messages.length > 0) this.metrics.read(topic.name, messages.length, jsonBytes(messages));
      return {
        email,
        topic: topic.name,
        ...(request.key === undefined ? {} : { key: request.key }),
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

/** UTF-8 bytes of the messages as answered. */
export function jsonBytes(messages: readonly string[]): number {
  let bytes = 0;
  for (const message of messages) bytes += Buffer.byteLength(message);
  return bytes;
}
