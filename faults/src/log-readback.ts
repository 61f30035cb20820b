// Reads a topic's partitions straight out of Redis, bypassing the gateway: the log as it is, to check the
// ledger and the readers against. Keys and the segment layout come from core (keys.ts, log.ts), as the
// services build them.
//
// Redis keys read, per partition (core/src/keys.ts):
//   trib:{<topicId>:<p>}:state (start, next), trib:{<topicId>:<p>}:segments, trib:{<topicId>:<p>}:seg:<base>
import { decodeEntry, partitionKeys, segmentBase, segmentBases, type RedisClient } from '@tributary/core';
import { isRecordValue } from './ledger.js';

export interface StoredEntry {
  offset: number;
  /** The record id its value carries; undefined for anything the suite did not write. */
  id: string | undefined;
}

export interface StoredPartition {
  partition: number;
  logStart: number;
  next: number;
  /** What the segment lists hold for offsets [logStart, next), in offset order. */
  entries: StoredEntry[];
  /** Offsets in [logStart, next) with no entry: a segment list shorter than the state says. */
  holes: number;
  /** Entries past `next`: a list longer than the state says, or a list wholly past it. */
  extra: number;
}

export interface TopicLayout {
  id: string;
  partitions: number;
  segmentRecords: number;
}

export async function readPartitions(redis: RedisClient, topic: TopicLayout): Promise<StoredPartition[]> {
  return Promise.all(Array.from({ length: topic.partitions }, (_, partition) => readPartition(redis, topic, partition)));
}

async function readPartition(redis: RedisClient, topic: TopicLayout, partition: number): Promise<StoredPartition> {
  const keys = partitionKeys({ topicId: topic.id, partition });
  const S = topic.segmentRecords;
  const [start, next] = (await redis.hmget(keys.state, 'start', 'next')).map((value) => Number(value ?? 0)) as [number, number];
  // The lists the state implies, those the index names, and the one `next` would open: an entry written
  // past `next` would be in one of them.
  const indexed = (await redis.zrange(keys.segments, 0, -1)).map(Number);
  const bases = [...new Set([...segmentBases(start, next, S), ...indexed, segmentBase(next, S)])].sort((a, b) => a - b);

  const entries: StoredEntry[] = [];
  let holes = 0;
  let extra = 0;
  for (const base of bases) {
    const list = await redis.lrange(keys.segment(base), 0, -1);
    // Index j of a list is offset base + j (retention drops whole lists, never part of one).
    const wanted = Math.max(0, Math.min(S, next - base));
    const from = Math.max(0, start - base);
    list.forEach((entry, j) => {
      if (j >= wanted) extra++;
      else if (j >= from) entries.push({ offset: base + j, id: recordId(entry, base + j) });
    });
    holes += Math.max(0, wanted - Math.max(from, list.length));
  }
  return { partition, logStart: start, next, entries, holes, extra };
}

function recordId(entry: string, offset: number): string | undefined {
  try {
    const { value } = decodeEntry(entry, offset);
    return isRecordValue(value) ? value.id : undefined;
  } catch {
    return undefined;
  }
}
