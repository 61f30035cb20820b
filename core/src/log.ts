// The shape of a partition's log in Redis: how records are encoded in list entries and how offsets map to
// fixed-size segments. Shared by the write path (broker) and the read path (gateway).
//
// A list entry is "<timestamp> <payload>": the timestamp is the append time in ms, stamped by the append
// script from Redis' clock (one clock per partition, never decreasing); the payload is the JSON array
// [key, value] or [key, value, headers], written by the broker.

export interface RecordInput {
  key: string;
  value: unknown;
  headers?: Record<string, string> | undefined;
}

export interface StoredRecord {
  offset: number;
  timestamp: number;
  key: string;
  value: unknown;
  headers: Record<string, string>;
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function encodeRecord({ key, value, headers }: RecordInput): string {
  return JSON.stringify(headers && Object.keys(headers).length > 0 ? [key, value, headers] : [key, value]);
}

export function decodeEntry(entry: string, offset: number): StoredRecord {
  const space = entry.indexOf(' ');
  const [key, value, headers] = JSON.parse(entry.slice(space + 1)) as [string, unknown, Record<string, string>?];
  return { offset, timestamp: Number(entry.slice(0, space)), key, value, headers: headers ?? NO_HEADERS };
}

/** Append time of an entry, without parsing its payload. */
export function entryTimestamp(entry: string): number {
  return Number(entry.slice(0, entry.indexOf(' ')));
}

export function segmentBase(offset: number, segmentRecords: number): number {
  return offset - (offset % segmentRecords);
}

export interface SegmentSlice {
  /** Base offset of the segment (its list key). */
  base: number;
  /** LRANGE start and stop (inclusive) inside the segment. */
  start: number;
  stop: number;
}

/** The LRANGE calls that read offsets [from, to): one per segment touched, each O(records returned + S). */
export function segmentSlices(from: number, to: number, segmentRecords: number): SegmentSlice[] {
  const slices: SegmentSlice[] = [];
  for (let offset = from; offset < to; ) {
    const base = segmentBase(offset, segmentRecords);
    const end = Math.min(to, base + segmentRecords);
    slices.push({ base, start: offset - base, stop: end - 1 - base });
    offset = end;
  }
  return slices;
}

/** Base offsets of every segment that may hold offsets [from, to). */
export function segmentBases(from: number, to: number, segmentRecords: number): number[] {
  const bases: number[] = [];
  for (let base = segmentBase(from, segmentRecords); base < to; base += segmentRecords) bases.push(base);
  return bases;
}
