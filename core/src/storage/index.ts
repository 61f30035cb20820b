// The storage layer: the only code that talks to Redis about partitions, consumers and consumer groups. Routes,
// the read and write paths and the controller call these stores; nothing else assembles script arguments.
import type { RedisClient } from './connection.js';
import { ConsumerStore } from './consumer-store.js';
import { GroupStore } from './group-store.js';
import { LogStore } from './log-store.js';
import { ReplayStore } from './replay-store.js';

export * from './append-waiters.js';
export * from './connection.js';
export * from './consumer-store.js';
export * from './group-store.js';
export * from './kafka-store.js';
export * from './log-store.js';
export * from './replay-store.js';
export * from './result-codes.js';
export * from './scripts.js';
export * from './slots.js';
export * from './stats-store.js';

export interface Storage {
  readonly redis: RedisClient;
  readonly logs: LogStore;
  readonly consumers: ConsumerStore;
  readonly groups: GroupStore;
  readonly replays: ReplayStore;
}

export function createStorage(redis: RedisClient): Storage {
  return { redis, logs: new LogStore(redis), consumers: new ConsumerStore(redis), groups: new GroupStore(redis), replays: new ReplayStore(redis) };
}
