// Fan-out across hash slots. A pipeline (or a script) on Redis Cluster may only touch keys of one slot, while
// some work spans many partitions or consumers: topic creation, offsets of every partition, lag. These helpers
// send such work as one pipeline on a single Redis, and as one pipeline per hash slot, all in flight at once,
// on a cluster. Replies come back in the caller's order either way.
import { Cluster, type ChainableCommander } from 'ioredis';
import keySlot from 'cluster-key-slot';
import { execPipeline, type RedisClient } from './connection.js';

export interface FanOutOptions {
  /** The commands change data: a failure after sending means an unknown outcome (see redisFailure). */
  write?: boolean;
}

/**
 * Runs `command(pipeline, item)` for every item, grouped by the hash slot of `keyOf(item)` (every key a
 * command touches must share that slot), and answers each item's reply in item order. Fails if any failed.
 */
export async function pipelineEach<T>(
  redis: RedisClient,
  items: readonly T[],
  keyOf: (item: T) => string,
  command: (pipeline: ChainableCommander, item: T) => unknown,
  options?: FanOutOptions,
): Promise<unknown[]> {
  if (items.length === 0) return [];
  if (!(redis instanceof Cluster)) {
    const pipeline = redis.pipeline();
    for (const item of items) command(pipeline, item);
    return execPipeline(pipeline, options);
  }
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const slot = keySlot(keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  });
  const replies = new Array<unknown>(items.length);
  await Promise.all(
    [...groups.values()].map(async (positions) => {
      const pipeline = redis.pipeline();
      for (const i of positions) command(pipeline, items[i]!);
      const answers = await execPipeline(pipeline, options);
      positions.forEach((i, j) => (replies[i] = answers[j]));
    }),
  );
  return replies;
}
