// Record batch v2 (magic 2), the message format of Produce v3+ and Fetch v4+:
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2) | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
//   producerEpoch int16 | baseSequence int32 | recordCount int32 | records
//
// batchLength counts the bytes after itself; the CRC-32C covers attributes to the end. Attributes: bits 0-2
// compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp type (1: LogAppendTime), bit 4
// transactional, bit 5 control. With compression the records section is compressed as a whole.
//
// A record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | key (varint
// length, -1 null) | value (likewise) | header count varint | headers (key: varint length + UTF-8, value:
// varint length, -1 null).
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from './crc32c.js';
import { ProtocolError, Reader, Writer } from './wire.js';

export type Compression = 'none' | 'gzip';

const COMPRESSION_CODES: Record<number, string> = { 0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
/** Bytes of a batch before its records. */
const BATCH_HEADER_BYTES = 61;
const MAGIC = 2;

/** A batch the codec can read but Tributary cannot take: a compression type it does not implement. */
export class UnsupportedCompressionError extends ProtocolError {}
/** A batch whose CRC or structure is wrong. */
export class CorruptBatchError extends ProtocolError {}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  compression: Compression;
  /** LogAppendTime: every record's timestamp is maxTimestamp. */
  logAppendTime: boolean;
  transactional: boolean;
  control: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: KafkaRecord[];
}

export interface DecodeLimits {
  /** Most bytes the records of one batch may inflate to: a small compressed batch cannot become gigabytes. */
  maxUncompressedBytes: number;
  /** A fetch answer may end inside a batch (a byte limit cut it); a produce request may not. */
  allowPartialTail?: boolean;
}

/** Every batch in a record set, in order. */
export function decodeRecordBatches(bytes: Buffer, limits: DecodeLimits): RecordBatch[] {
  const batches: RecordBatch[] = [];
  const reader = new Reader(bytes);
  while (reader.remaining > 0) {
    if (reader.remaining < 12) {
      if (limits.allowPartialTail) break;
      throw new CorruptBatchError('record set ends inside a batch header');
    }
    const start = reader.offset;
    const baseOffset = reader.int64();
    const batchLength = reader.int32();
    if (batchLength > reader.remaining) {
      if (limits.allowPartialTail) break;
      throw new CorruptBatchError(`batch of ${batchLength} bytes at ${start} is longer than the record set`);
    }
    if (batchLength < BATCH_HEADER_BYTES - 12) throw new CorruptBatchError(`batch length ${batchLength} is too short`);
    batches.push(decodeBatch(baseOffset, new Reader(reader.raw(batchLength)), limits));
  }
  return batches;
}

function decodeBatch(baseOffset: number, reader: Reader, limits: DecodeLimits): RecordBatch {
  const partitionLeaderEpoch = reader.int32();
  const magic = reader.int8();
  if (magic !== MAGIC) throw new CorruptBatchError(`message format ${magic}: only record batch v2 is supported`);
  const crc = reader.uint32();
  if (crc32c(reader.buffer.subarray(reader.offset)) !== crc) throw new CorruptBatchError('record batch CRC mismatch');
  const attributes = reader.int16();
  const compressionCode = attributes & 0x07;
  const compression = COMPRESSION_CODES[compressionCode];
  if (compression !== 'none' && compression !== 'gzip') {
    throw new UnsupportedCompressionError(`compression ${compression ?? compressionCode} is not supported (none and gzip are)`);
  }
  const batch: Omit<RecordBatch, 'records'> = {
    baseOffset,
    partitionLeaderEpoch,
    compression,
    logAppendTime: (attributes & TIMESTAMP_TYPE_BIT) !== 0,
    transactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    control: (attributes & CONTROL_BIT) !== 0,
    lastOffsetDelta: reader.int32(),
    baseTimestamp: reader.int64(),
    maxTimestamp: reader.int64(),
    producerId: reader.int64(),
    producerEpoch: reader.int16(),
    baseSequence: reader.int32(),
  };
  const count = reader.int32();
  let body = reader.raw(reader.remaining);
  if (compression === 'gzip') {
    try {
      body = gunzipSync(body, { maxOutputLength: limits.maxUncompressedBytes });
    } catch (err) {
      throw new CorruptBatchError(`gzip records do not inflate within ${limits.maxUncompressedBytes} bytes: ${(err as Error).message}`);
    }
  }
  const records = new Reader(body);
  // Each record takes at least 7 bytes, so a count beyond that is a lie: refuse before allocating.
  if (count < 0 || count > records.remaining / 7) throw new CorruptBatchError(`record count ${count} does not fit the batch`);
  const decoded = new Array<KafkaRecord>(count);
  for (let i = 0; i < count; i++) decoded[i] = decodeRecord(records);
  if (records.remaining !== 0) throw new CorruptBatchError('bytes left after the last record');
  return { ...batch, records: decoded };
}

function decodeRecord(outer: Reader): KafkaRecord {
  const length = outer.varint();
  if (length < 0) throw new CorruptBatchError('negative record length');
  const reader = new Reader(outer.raw(length));
  reader.int8(); // record attributes: unused by the protocol so far
  const timestampDelta = reader.varlong();
  const offsetDelta = reader.varint();
  const key = varintBytes(reader);
  const value = varintBytes(reader);
  const headerCount = reader.varint();
  if (headerCount < 0 || headerCount > reader.remaining / 2) throw new CorruptBatchError(`header count ${headerCount} does not fit the record`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const headerKey = varintBytes(reader);
    if (headerKey === null) throw new CorruptBatchError('a record header has a null key');
    headers.push({ key: headerKey.toString('utf8'), value: varintBytes(reader) });
  }
  if (reader.remaining !== 0) throw new CorruptBatchError('bytes left inside a record');
  return { offsetDelta, timestampDelta, key, value, headers };
}

function varintBytes(reader: Reader): Buffer | null {
  const length = reader.varint();
  if (length === -1) return null;
  if (length < 0) throw new CorruptBatchError(`negative length ${length}`);
  return reader.raw(length);
}

export type RecordBatchInput = Partial<Omit<RecordBatch, 'records' | 'lastOffsetDelta'>> & {
  baseOffset: number;
  baseTimestamp: number;
  records: KafkaRecord[];
};

/** One batch; lastOffsetDelta comes from the records, maxTimestamp too unless given. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const compression = input.compression ?? 'none';
  const recordsWriter = new Writer();
  for (const record of input.records) encodeRecord(recordsWriter, record);
  const recordBytes = compression === 'gzip' ? gzipSync(recordsWriter.bytes()) : recordsWriter.bytes();

  const lastOffsetDelta = input.records.reduce((max, r) => Math.max(max, r.offsetDelta), 0);
  const maxTimestamp = input.maxTimestamp ?? input.records.reduce((max, r) => Math.max(max, input.baseTimestamp + r.timestampDelta), input.baseTimestamp);
  let attributes = compression === 'gzip' ? 1 : 0;
  if (input.logAppendTime) attributes |= TIMESTAMP_TYPE_BIT;
  if (input.transactional) attributes |= TRANSACTIONAL_BIT;
  if (input.control) attributes |= CONTROL_BIT;

  const writer = new Writer(BATCH_HEADER_BYTES + recordBytes.length);
  writer.int64(input.baseOffset).int32(0).int32(input.partitionLeaderEpoch ?? -1).int8(MAGIC).uint32(0);
  writer.int16(attributes).int32(lastOffsetDelta).int64(input.baseTimestamp).int64(maxTimestamp);
  writer.int64(input.producerId ?? -1).int16(input.producerEpoch ?? -1).int32(input.baseSequence ?? -1);
  writer.int32(input.records.length).raw(recordBytes);
  const out = Buffer.from(writer.bytes());
  out.writeInt32BE(out.length - 12, 8);
  out.writeUInt32BE(crc32c(out.subarray(21)), 17);
  return out;
}

function encodeRecord(out: Writer, record: KafkaRecord): void {
  const w = new Writer(64 + (record.key?.length ?? 0) + (record.value?.length ?? 0));
  w.int8(0).varlong(record.timestampDelta).varint(record.offsetDelta);
  writeVarintBytes(w, record.key);
  writeVarintBytes(w, record.value);
  w.varint(record.headers.length);
  for (const header of record.headers) {
    writeVarintBytes(w, Buffer.from(header.key, 'utf8'));
    writeVarintBytes(w, header.value);
  }
  out.varint(w.length).raw(w.bytes());
}

function writeVarintBytes(w: Writer, bytes: Uint8Array | null): void {
  if (bytes === null) w.varint(-1);
  else w.varint(bytes.length).raw(bytes);
}
