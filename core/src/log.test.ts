import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeEntry,
  encodeRecord,
  entryKeyJson,
  entryTimestamp,
  messageJson,
  segmentBase,
  segmentBases,
  segmentSlices,
} from './log.js';

describe('record encoding', () => {
  it('round-trips key, value and headers through a list entry', () => {
    const payload = encodeRecord({ key: 'user-1', value: { score: 12, tags: ['a b'] }, headers: { trace: 't 1' } });
    const record = decodeEntry(`1700000000123 ${payload}`, 42);
    expect(payload.startsWith('{"key":"user-1","headers":')).toBe(true);
    expect(record).toEqual({
      offset: 42,
      timestamp: 1700000000123,
      key: 'user-1',
      value: { score: 12, tags: ['a b'] },
      headers: { trace: 't 1' },
    });
  });

  it('keeps null values and answers empty headers when none were sent', () => {
    const record = decodeEntry(`5 ${encodeRecord({ key: '', value: null })}`, 0);
    expect(record.value).toBeNull();
    expect(record.key).toBe('');
    expect(record.headers).toEqual({});
  });

  it('reads the timestamp without parsing the payload', () => {
    expect(entryTimestamp('1700000000999 {"key":"k","value":1}')).toBe(1700000000999);
  });
});

describe('messageJson (a read splices stored text instead of parsing it)', () => {
  it('answers offset, timestamp, key, headers and value', () => {
    const entry = `1700000000123 ${encodeRecord({ key: 'k', value: { a: [1, 'b'] }, headers: { h: 'v' } })}`;
    expect(JSON.parse(messageJson(entry, 7))).toEqual({ offset: 7, timestamp: 1700000000123, key: 'k', headers: { h: 'v' }, value: { a: [1, 'b'] } });
  });

  it('answers empty headers when none were stored', () => {
    const entry = `1 ${encodeRecord({ key: 'k', value: null })}`;
    expect(JSON.parse(messageJson(entry, 0))).toEqual({ offset: 0, timestamp: 1, key: 'k', headers: {}, value: null });
  });

  it('is exactly what decoding and re-encoding would give, for any key, value and headers', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'binary' }), { nil: null }),
        fc.jsonValue(),
        fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
        fc.nat(),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (key, value, headers, offset, timestamp) => {
          const entry = `${timestamp} ${encodeRecord({ key, value, headers })}`;
          expect(JSON.parse(messageJson(entry, offset))).toEqual(decodeEntry(entry, offset));
          expect(entryKeyJson(entry)).toBe(JSON.stringify(key));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('splices a keyless record (null key) and puts extra fields first', () => {
    const entry = `9 ${encodeRecord({ key: null, value: 'null', headers: { a: 'b' } })}`;
    expect(messageJson(entry, 3, '"partition":2,')).toBe('{"partition":2,"offset":3,"timestamp":9,"key":null,"headers":{"a":"b"},"value":"null"}');
    expect(entryKeyJson(entry)).toBe('null');
  });
});

describe('segments', () => {
  it('maps an offset to the segment whose base is the multiple of S below it', () => {
    expect(segmentBase(0, 1000)).toBe(0);
    expect(segmentBase(999, 1000)).toBe(0);
    expect(segmentBase(1000, 1000)).toBe(1000);
    expect(segmentBase(123456, 1000)).toBe(123000);
  });

  it('splits a range into one LRANGE per segment it touches', () => {
    expect(segmentSlices(995, 1010, 1000)).toEqual([
      { base: 0, start: 995, stop: 999 },
      { base: 1000, start: 0, stop: 9 },
    ]);
    expect(segmentSlices(2000, 2000, 1000)).toEqual([]);
    expect(segmentSlices(1_000_000, 1_000_100, 1000)).toEqual([{ base: 1_000_000, start: 0, stop: 99 }]);
  });

  it('lists the bases that cover a range', () => {
    expect(segmentBases(1500, 3000, 1000)).toEqual([1000, 2000]);
    expect(segmentBases(1500, 3001, 1000)).toEqual([1000, 2000, 3000]);
  });
});
