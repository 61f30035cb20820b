// The records every scenario writes: one shape, about the size of a typical event, so that write, read and
// baseline figures are about the same bytes.
import { encodeRecord, partitionFor, type RecordInput } from '@tributary/core';

/** A ~100-byte JSON value: an object, so the read path parses and serializes real structure. */
export const sampleValue = Object.freeze({
  event: 'page_view',
  page: '/products/4242',
  referrer: '/search?q=kafka',
  session: 's-1f2e3d4c5b6a',
  ms: 1712,
});

export function record(key: string): RecordInput {
  return { key, value: sampleValue };
}

/** The body of a single-record write. */
export function singleBody(key: string): string {
  return JSON.stringify(record(key));
}

/** The body of a batch write of `count` records with keys `<prefix>-0 ... <prefix>-<count-1>`. */
export function batchBody(count: number, prefix: string): string {
  return JSON.stringify({ records: Array.from({ length: count }, (_, i) => record(`${prefix}-${i}`)) });
}

/** A list entry as the append script stores it ("<timestamp> <payload>"), for the Redis baseline. */
export function storedEntry(key: string): string {
  return `${Date.now()} ${encodeRecord(record(key))}`;
}

/** The first key `<prefix>-<i>` that Kafka's partitioner puts in `partition` of a topic with `partitions`. */
export function keyFor(partition: number, partitions: number, prefix = 'key'): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}-${i}`;
    if (partitionFor(key, partitions) === partition) return key;
  }
}
