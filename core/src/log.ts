// The shape of a partition's log in Redis: how records are encoded in list entries and how offsets map to
// fixed-size segments. Shared by the write path (broker) and the read path (gateway).
//
// A list entry is "<timestamp> <payload>": the timestamp is the append time in ms, stamped by the append
// script from Redis' clock (one clock per partition, never decreasing); the payload is the JSON object
// {"key":…,"headers":…,"value":…} written by the broker, key first, headers only when there are any, value
// last. That order lets a read splice the stored text into its answer without parsing values
// (messageJson): parsing and re-serializing every record was most of a read's cost (bench/results).

export interface RecordInput {
  /** null: a keyless record (Kafka's null key), placed by the broker rather than by the partitioner. */
  key: string | null;
  value: unknown;
  headers?: Record<string, string> | undefined;
  /** Idempotency id: kept in the partition's dedup state for the topic's window, not in the record. */
  id?: string | undefined;
}

export interface StoredRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
}

export function encodeRecord({ key, value, headers }: RecordInput): string {
  return JSON.stringify(headers && Object.keys(headers).length > 0 ? { key, headers, value } : { key, value });
}

export function decodeEntry(entry: string, offset: number): StoredRecord {
  const space = entry.indexOf(' ');
  const { key, value, headers = {} } = JSON.parse(entry.slice(space + 1)) as Omit<StoredRecord, 'offset' | 'timestamp'>;
  return { offset, timestamp: Number(entry.slice(0, space)), key, value, headers };
}

/** Append time of an entry, without parsing its payload. */
export function entryTimestamp(entry: string): number {
  return Number(entry.slice(0, entry.indexOf(' ')));
}

const KEY_PREFIX = '{"key":';

/**
 * The entry as a read answers it, {"offset":…,"timestamp":…,"key":…,"headers":…,"value":…}, spliced from the
 * stored text: the value is never parsed. `fields` is JSON text of more members to put first, each followed
 * by a comma (`"partition":3,`).
 */
export function messageJson(entry: string, offset: number, fields = ''): string {
  const space = entry.indexOf(' ');
  const keyEnd = keyJsonEnd(entry, space + 1 + KEY_PREFIX.length);
  const headers = entry.startsWith(',"headers":', keyEnd) ? '' : ',"headers":{}';
  return `{${fields}"offset":${offset},"timestamp":${entry.slice(0, space)},${entry.slice(space + 2, keyEnd)}${headers}${entry.slice(keyEnd)}`;
}

/** JSON text of `fields` with `messages` (JSON texts from messageJson) spliced in as "messages": the records are not re-serialized. */
export function withMessagesJson(fields: object, messages: readonly string[]): string {
  const head = JSON.stringify(fields).slice(0, -1);
  return `${head}${head.length > 1 ? ',' : ''}"messages":[${messages.join(',')}]}`;
}

/** The entry's key as JSON text: equal to JSON.stringify(key) exactly when the keys are equal. */
export function entryKeyJson(entry: string): string {
  const keyStart = entry.indexOf(' ') + 1 + KEY_PREFIX.length;
  return entry.slice(keyStart, keyJsonEnd(entry, keyStart));
}

/** Index just past the key's JSON text at `start`: a string, or null for a keyless record. */
function keyJsonEnd(text: string, start: number): number {
  return text.startsWith('null', start) ? start + 4 : jsonStringEnd(text, start);
}

/** Index just past the JSON string whose opening quote is at `quote`. */
function jsonStringEnd(text: string, quote: number): number {
  for (let i = quote + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++; // a backslash escapes the next character
    else if (c === 0x22) return i + 1;
  }
  throw new Error('a stored record has an unterminated key');
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
