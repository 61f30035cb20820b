import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromKafkaRecord, valueFromBytes, valueToBytes } from './record-mapping.js';

const record = (over: Partial<Parameters<typeof fromKafkaRecord>[0]> = {}) => ({ offsetDelta: 0, timestampDelta: 0, key: null, value: null, headers: [], ...over });

describe('Kafka values <-> stored JSON values', () => {
  it('any bytes come back from storage as the same bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string().map((s) => new TextEncoder().encode(s)), fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v)))), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(valueToBytes(valueFromBytes(buffer))!.equals(buffer)).toBe(true);
      }),
    );
  });

  it('any JSON value written over HTTP reads over Kafka as its JSON text, which maps back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(!(typeof value === 'object' && value !== null && !Array.isArray(value) && '$base64' in value));
        const bytes = valueToBytes(value);
        if (value === null) {
          expect(bytes).toBeNull();
        } else {
          expect(bytes!.toString('utf8')).toBe(JSON.stringify(value));
          expect(JSON.stringify(valueFromBytes(bytes))).toBe(JSON.stringify(value));
        }
      }),
    );
  });

  it('maps the cases the README names', () => {
    expect(valueFromBytes(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(valueFromBytes(Buffer.from('"text"'))).toBe('text');
    expect(valueFromBytes(Buffer.from('{"a": 1}'))).toEqual({ $base64: Buffer.from('{"a": 1}').toString('base64') });
    expect(valueFromBytes(Buffer.from('plain text'))).toEqual({ $base64: 'cGxhaW4gdGV4dA==' });
    expect(valueFromBytes(Buffer.from('null'))).toEqual({ $base64: 'bnVsbA==' });
    expect(valueFromBytes(null)).toBeNull();
    expect(valueFromBytes(Buffer.alloc(0))).toEqual({ $base64: '' });
    // Canonical JSON that looks like the escape is itself escaped, so it comes back as the same text.
    const lookalike = Buffer.from('{"$base64":"aGk="}');
    expect(valueToBytes(valueFromBytes(lookalike))!.equals(lookalike)).toBe(true);
    // HTTP writers hand Kafka consumers raw bytes with the escape; a non-canonical one is plain JSON.
    expect(valueToBytes({ $base64: 'AAH/' })).toEqual(Buffer.from([0, 1, 255]));
    expect(valueToBytes({ $base64: 'not base64!' })!.toString()).toBe('{"$base64":"not base64!"}');
    expect(valueToBytes('Breaking news')!.toString()).toBe('"Breaking news"');
  });
});

describe('Kafka records -> Tributary records', () => {
  it('keeps UTF-8 keys and headers', () => {
    expect(fromKafkaRecord(record({ key: Buffer.from('héllo'), value: Buffer.from('1'), headers: [{ key: 'h', value: Buffer.from('v') }] }))).toEqual({
      key: 'héllo',
      value: 1,
      headers: { h: 'v' },
    });
    expect(fromKafkaRecord(record())).toEqual({ key: null, value: null, headers: undefined });
  });

  it('refuses what a string map of headers or a string key cannot hold', () => {
    expect(fromKafkaRecord(record({ key: Buffer.from([0xff, 0xfe]) }))).toEqual({ problem: expect.stringContaining('UTF-8') });
    expect(fromKafkaRecord(record({ headers: [{ key: 'h', value: null }] }))).toEqual({ problem: expect.stringContaining('"h"') });
    expect(fromKafkaRecord(record({ headers: [{ key: 'h', value: Buffer.from([0xc3]) }] }))).toEqual({ problem: expect.stringContaining('UTF-8') });
    const twice = [{ key: 'h', value: Buffer.from('1') }, { key: 'h', value: Buffer.from('2') }];
    expect(fromKafkaRecord(record({ headers: twice }))).toEqual({ problem: expect.stringContaining('twice') });
  });
});
