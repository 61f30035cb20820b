// A consumer (email) reading a whole topic: GET /read/:email/:topic. Every partition is read the way read.ts
// reads one (the same position, fetch and compare-and-set commit, so no record is skipped or answered twice),
// all at once, with the read's budget of records shared fairly among the partitions that have some
// (fair-share.ts): a busy partition cannot starve the others. The answer says where each partition's next
// read starts; every message names its partition.
//
// Round trips: every partition's state (one pipeline per hash slot), the consumer's position in each (on the
// consumer's slot), then the partitions' reads side by side. A long poll sleeps on every partition's
// `appended` channel.
//
// Redis keys touched: those of read.ts, for each partition of the topic.
import { assertRedisReady, partitionKeys, type PartitionProgress, type Storage, type Topic, type TopicReadAnswer } from '@tributary/core';
import { fairShares } from './fair-share.js';
import { longPoll } from './long-poll.js';
import type { PartitionReader, ReadRequest, ReadResult } from './read.js';
import { liveOffsets } from './topic-lookup.js';
import type { AppendWaiters } from './waiters.js';

export type TopicReadRequest = Omit<ReadRequest, 'partition' | 'key' | 'onlyKey' | 'labelPartition'>;

/** A read of every partition, as GET /read answers it, with each message as JSON text: {partition, offset, …}. */
export type TopicReadResult = Omit<TopicReadAnswer, 'messages'> & { messages: string[] };

export class TopicReader {
  constructor(
    private readonly storage: Storage,
    private readonly waiters: AppendWaiters,
    private readonly partitions: PartitionReader,
  ) {}

  async read(request: TopicReadRequest): Promise<TopicReadResult> {
    const first = await this.#readOnce(request);
    if (first.messages.length > 0 || request.waitMs === 0) return first;
    const channels = Array.from({ length: request.topic.partitions }, (_, partition) => partitionKeys({ topicId: request.topic.id, partition }).appended);
    return longPoll(this.waiters, {
      first,
      channels: () => channels,
      deadline: Date.now() + request.waitMs,
      signal: request.signal,
      readAgain: () => this.#readOnce(request),
      join: (_earlier, later) => later,
    });
  }

  async #readOnce(request: TopicReadRequest): Promise<TopicReadResult> {
    const { email, topic, max, maxBytes } = request;
    const { logs, consumers, redis } = this.storage;
    assertRedisReady(redis);
    const states = await liveOffsets(logs, topic);
    const positions = await Promise.all(
      states.map(({ partition, logStartOffset, nextOffset }) => consumers.position({ email, topic, partition, logStartOffset, nextOffset, max })),
    );
    const shares = fairShares(
      positions.map((position) => position.to - position.from),
      max,
      Math.floor(Math.random() * topic.partitions),
    );
    const busy = shares.filter((share) => share > 0).length;
    const bytesEach = Math.max(1, Math.floor(maxBytes / Math.max(1, busy)));
    const reads = await Promise.all(
      shares.map((share, partition) =>
        share > 0 ? this.partitions.readOnce({ ...request, partition, labelPartition: true }, share, bytesEach) : undefined,
      ),
    );
    const progress = states.map((state, partition): PartitionProgress => {
      const read = reads[partition];
      if (read) return progressOf(read);
      const at = positions[partition]!.from;
      return {
        partition,
        start_offset: at,
        next_offset: at,
        log_start_offset: state.logStartOffset,
        high_watermark: state.nextOffset,
        lag: state.nextOffset - at,
      };
    });
    return {
      email,
      topic: topic.name,
      committed: request.commit,
      lag: progress.reduce((sum, p) => sum + p.lag, 0),
      partitions: progress,
      messages: reads.flatMap((read) => read?.messages ?? []),
    };
  }
}

function progressOf(read: ReadResult): PartitionProgress {
  const { partition, start_offset, next_offset, log_start_offset, high_watermark, lag, offset_reset } = read;
  return { partition, start_offset, next_offset, log_start_offset, high_watermark, lag, ...(offset_reset ? { offset_reset } : {}) };
}
