// One log, two views: how a Kafka record (bytes) and a Tributary record (JSON) map onto each other. The
// mapping is exact both ways: a record written over Kafka is fetched over Kafka with the same bytes, and a
// record written over HTTP is read over HTTP with the same JSON value, whichever side reads it.
//
// Values.
//   Kafka -> stored: bytes that are UTF-8 JSON text in canonical form (exactly what JSON.stringify gives back
//     for it: no insignificant whitespace, and so on) are stored as that JSON value; any other bytes, and the
//     text `null`, are stored as {"$base64": "<standard base64 of the bytes>"}. A null value (a Kafka
//     tombstone) is stored as null.
//   stored -> Kafka: null is a null value; {"$base64": s} with s canonical base64 (and nothing else in the
//     object) is the bytes it encodes; every other value is its JSON text (a string value arrives with its
//     quotes). So an HTTP writer can hand Kafka consumers arbitrary bytes by writing {"$base64": …}.
//   Canonical JSON text that is itself such a {"$base64": …} object is stored wrapped in base64, so it too
//   comes back as the same bytes.
// Keys: a Kafka key is a Tributary key when it is valid UTF-8 (a string), null for a keyless record. Other
//   key bytes are refused (INVALID_RECORD): Tributary keys are strings, and the partition is murmur2 of the
//   key's UTF-8 bytes on both sides.
// Headers: Kafka headers become the record's headers when every value is valid UTF-8 and no key repeats;
//   otherwise the record is refused (INVALID_RECORD), since Tributary's headers are a string map. Stored
//   headers go back to Kafka in the order stored.
// Timestamps: Tributary stamps records with the append time from Redis (Kafka's LogAppendTime); the
//   timestamp a producer sets is not kept.
import { isUtf8 } from 'node:buffer';
import type { KafkaRecord, RecordHeader } from '@tributary/kafka';

export interface MappedRecord {
  key: string | null;
  value: unknown;
  headers: Record<string, string> | undefined;
}

/** Why a Kafka record cannot be stored (INVALID_RECORD), or the record as Tributary stores it. */
export function fromKafkaRecord(record: KafkaRecord): MappedRecord | { problem: string } {
  if (record.key !== null && !isUtf8(record.key)) return { problem: 'record keys must be UTF-8 text (Tributary keys are strings)' };
  let headers: Record<string, string> | undefined;
  if (record.headers.length > 0) {
    headers = {};
    for (const { key, value } of record.headers) {
      if (value === null || !isUtf8(value)) return { problem: `header "${key}" must have a UTF-8 text value` };
      if (Object.hasOwn(headers, key)) return { problem: `header "${key}" appears twice (Tributary headers are a map)` };
      headers[key] = value.toString('utf8');
    }
  }
  return { key: record.key === null ? null : record.key.toString('utf8'), value: valueFromBytes(record.value), headers };
}

export function valueFromBytes(bytes: Buffer | null): unknown {
  if (bytes === null) return null;
  if (isUtf8(bytes)) {
    const text = bytes.toString('utf8');
    const parsed = parseCanonical(text);
    if (parsed !== undefined && parsed.value !== null && base64Of(parsed.value) === undefined) return parsed.value;
  }
  return { $base64: bytes.toString('base64') };
}

export function valueToBytes(value: unknown): Buffer | null {
  if (value === null) return null;
  const base64 = base64Of(value);
  if (base64 !== undefined) return Buffer.from(base64, 'base64');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function headersToKafka(headers: Record<string, string>): RecordHeader[] {
  return Object.entries(headers).map(([key, value]) => ({ key, value: Buffer.from(value, 'utf8') }));
}

/** The text's JSON value when the text is exactly its canonical serialization. */
function parseCanonical(text: string): { value: unknown } | undefined {
  // Every JSON text starts with one of these; anything else (most binary and plain text) skips the parse.
  if (!/^[[{"\-0-9tfn]/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return JSON.stringify(value) === text ? { value } : undefined;
  } catch {
    return undefined;
  }
}

/** s when `value` is exactly {"$base64": s} with s canonical standard base64. */
function base64Of(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== '$base64') return undefined;
  const encoded = (value as { $base64: unknown }).$base64;
  if (typeof encoded !== 'string' || Buffer.from(encoded, 'base64').toString('base64') !== encoded) return undefined;
  return encoded;
}
