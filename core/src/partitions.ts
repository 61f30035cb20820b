// Reading a partition's offsets: shared by topic descriptions (broker) and lag reporting (gateway).
import type { Redis } from 'ioredis';
import { partitionKeys } from './keys.js';
import { execPipeline } from './redis.js';
import type { Topic } from './topics.js';

export interface PartitionOffsets {
  partition: number;
  /** First offset still stored (retention moves it forward). */
  logStartOffset: number;
  /** Offset the next record will get: the high watermark. */
  nextOffset: number;
  /** Whether delete_topic has marked this partition. */
  deleted: boolean;
}

/** Offsets of every partition of a topic, in one pipelined round trip. */
export async function readPartitionOffsets(redis: Redis, topic: Topic): Promise<PartitionOffsets[]> {
  const pipeline = redis.pipeline();
  for (let partition = 0; partition < topic.partitions; partition++) {
    pipeline.hmget(partitionKeys({ topicId: topic.id, partition }).state, 'start', 'next', 'deleted');
  }
  const replies = await execPipeline(pipeline);
  return replies.map((value, partition) => {
    const [start, next, deleted] = value as [string | null, string | null, string | null];
    return {
      partition,
      logStartOffset: Number(start ?? 0),
      nextOffset: Number(next ?? 0),
      deleted: deleted !== null || next === null,
    };
  });
}
