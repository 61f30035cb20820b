import { describe, expect, it } from 'vitest';
import { CorruptBatchError, crc32c, decodeRecordBatches, encodeRecordBatch, UnsupportedCompressionError, type KafkaRecord } from '../src/index.js';

const limits = { maxUncompressedBytes: 1 << 20 };

const records: KafkaRecord[] = [
  { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k1'), value: Buffer.from('{"a":1}'), headers: [] },
  { offsetDelta: 1, timestampDelta: 5, key: null, value: null, headers: [{ key: 'trace', value: Buffer.from('t-1') }, { key: 'empty', value: null }] },
  { offsetDelta: 2, timestampDelta: 9, key: Buffer.alloc(0), value: Buffer.from([0, 255, 1, 254]), headers: [] },
];

describe('record batch v2', () => {
  it.each(['none', 'gzip'] as const)('round-trips with compression %s', (compression) => {
    const bytes = encodeRecordBatch({ baseOffset: 42, baseTimestamp: 1_700_000_000_000, records, compression, producerId: 7, producerEpoch: 0, baseSequence: 3 });
    const [batch, ...rest] = decodeRecordBatches(bytes, limits);
    expect(rest).toEqual([]);
    expect(batch).toMatchObject({
      baseOffset: 42,
      compression,
      lastOffsetDelta: 2,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_009,
      producerId: 7,
      producerEpoch: 0,
      baseSequence: 3,
      logAppendTime: false,
    });
    expect(batch!.records).toEqual(records);
    expect(encodeRecordBatch({ ...batch!, records: batch!.records }).equals(bytes)).toBe(true);
  });

  it('reads several batches of one record set, and a cut-off tail only when allowed', () => {
    const one = encodeRecordBatch({ baseOffset: 0, baseTimestamp: 1, records: records.slice(0, 1), logAppendTime: true });
    const two = encodeRecordBatch({ baseOffset: 1, baseTimestamp: 2, records: records.slice(0, 2) });
    const set = Buffer.concat([one, two]);
    expect(decodeRecordBatches(set, limits).map((b) => b.baseOffset)).toEqual([0, 1]);
    expect(decodeRecordBatches(set, limits)[0]!.logAppendTime).toBe(true);
    const cut = set.subarray(0, set.length - 3);
    expect(decodeRecordBatches(cut, { ...limits, allowPartialTail: true }).map((b) => b.baseOffset)).toEqual([0]);
    expect(() => decodeRecordBatches(cut, limits)).toThrow(CorruptBatchError);
  });

  it('refuses a batch whose CRC does not match', () => {
    const bytes = encodeRecordBatch({ baseOffset: 0, baseTimestamp: 1, records });
    bytes[bytes.length - 1]! ^= 1;
    expect(() => decodeRecordBatches(bytes, limits)).toThrow(/CRC/);
  });

  it('refuses compression it does not implement, and gzip that inflates past the limit', () => {
    const bytes = encodeRecordBatch({ baseOffset: 0, baseTimestamp: 1, records });
    const snappy = Buffer.from(bytes);
    snappy.writeInt16BE(2, 21);
    // Recompute the CRC over the changed attributes so only the compression is wrong.
    
    snappy.writeUInt32BE(crc32c(snappy.subarray(21)), 17);
    expect(() => decodeRecordBatches(snappy, limits)).toThrow(UnsupportedCompressionError);

    const big: KafkaRecord = { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.alloc(100_000), headers: [] };
    const bomb = encodeRecordBatch({ baseOffset: 0, baseTimestamp: 1, records: [big], compression: 'gzip' });
    expect(bomb.length).toBeLessThan(1_000);
    expect(() => decodeRecordBatches(bomb, { maxUncompressedBytes: 10_000 })).toThrow(CorruptBatchError);
  });

  it('refuses a record count the batch cannot hold', () => {
    const bytes = encodeRecordBatch({ baseOffset: 0, baseTimestamp: 1, records });
    bytes.writeInt32BE(1_000_000, 57);
    
    bytes.writeUInt32BE(crc32c(bytes.subarray(21)), 17);
    expect(() => decodeRecordBatches(bytes, limits)).toThrow(/record count/);
  });
});
