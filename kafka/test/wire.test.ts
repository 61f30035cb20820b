import { describe, expect, it } from 'vitest';
import { crc32c, ProtocolError, Reader, Writer } from '../src/index.js';

const hex = (w: Writer) => w.bytes().toString('hex');

describe('varints', () => {
  it('zigzag-encode as the specification shows', () => {
    // 0, -1, 1, -2, ... map to 0, 1, 2, 3, ...; 7 bits a byte, least significant group first.
    expect(hex(new Writer().varint(0))).toBe('00');
    expect(hex(new Writer().varint(-1))).toBe('01');
    expect(hex(new Writer().varint(1))).toBe('02');
    expect(hex(new Writer().varint(63))).toBe('7e');
    expect(hex(new Writer().varint(-64))).toBe('7f');
    expect(hex(new Writer().varint(64))).toBe('8001');
    expect(hex(new Writer().uvarint(300))).toBe('ac02');
    expect(hex(new Writer().varint(2147483647))).toBe('feffffff0f');
    expect(hex(new Writer().varint(-2147483648))).toBe('ffffffff0f');
  });

  it('round-trip across the int32 and safe-integer ranges', () => {
    for (const value of [0, 1, -1, 127, -128, 1 << 20, -(2 ** 31), 2 ** 31 - 1]) {
      expect(new Reader(new Writer().varint(value).bytes()).varint()).toBe(value);
    }
    for (const value of [0, -1, 1_700_000_000_000, -(2 ** 52), 2 ** 52 - 1]) {
      expect(new Reader(new Writer().varlong(value).bytes()).varlong()).toBe(value);
    }
  });

  it('refuses a varint longer than 32 bits', () => {
    expect(() => new Reader(Buffer.from('ffffffffff01', 'hex')).uvarint()).toThrow(ProtocolError);
  });
});

describe('fixed-width and length-prefixed types', () => {
  it('int64 keeps negative and large values', () => {
    for (const value of [-1, 0, 1, 2 ** 40 + 5, -(2 ** 40) - 5, Number.MAX_SAFE_INTEGER]) {
      expect(new Reader(new Writer().int64(value).bytes()).int64()).toBe(value);
    }
    expect(hex(new Writer().int64(-1))).toBe('ffffffffffffffff');
  });

  it('compact strings carry length + 1, 0 for null', () => {
    expect(hex(new Writer().compactNullableString(null))).toBe('00');
    expect(hex(new Writer().compactNullableString(''))).toBe('01');
    expect(hex(new Writer().compactNullableString('ab'))).toBe('036162');
    expect(hex(new Writer().nullableString(null))).toBe('ffff');
  });

  it('uuids are 16 bytes', () => {
    const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect(new Reader(new Writer().uuid(id).bytes()).uuid()).toBe(id);
  });

  it('lengths and counts past the frame fail before allocating', () => {
    expect(() => new Reader(Buffer.from('7fffffff', 'hex')).nullableBytes()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('7fffffff', 'hex')).arrayLength()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('fffe', 'hex')).nullableString()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('ffffffff0f', 'hex')).compactArrayLength()).toThrow(ProtocolError);
  });
});

describe('CRC-32C', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});
