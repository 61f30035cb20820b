import { describe, expect, it } from 'vitest';
import murmurhash from 'murmurhash';
import { murmur2, partitionFor } from './partitioner.js';

// Reference values from Apache Kafka's and librdkafka's own test suites (docs/invariants.md I2).
const vectors: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['abc', 479470107],
  ['0', 971027396],
  ['1', -1993445489],
  ['kafka', -798503068],
  ['', 275646681],
  ['héllo', 614509002],
];

describe('murmur2', () => {
  it.each(vectors)('hashes %j like Kafka', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
  });
});

describe('partitionFor', () => {
  it.each([
    ['21', 3, 0],
    ['foobar', 3, 0],
    ['kafka', 3, 1],
    ['1', 3, 0],
    ['foobar', 4, 2],
    ['abc', 4, 3],
    ['kafka', 4, 0],
  ] as const)('puts %j in partition of %i -> %i', (key, partitions, expected) => {
    expect(partitionFor(key, partitions)).toBe(expected);
  });

  it('masks the sign bit instead of taking the absolute value', () => {
    // murmur2("21") is negative: abs() would give 973932308 % 3 = 2, Kafka's mask gives 0.
    expect(Math.abs(murmur2('21')) % 3).toBe(2);
    expect(partitionFor('21', 3)).toBe(0);
  });

  it('hashes long and multi-byte keys like short ones (the encoding buffer grows)', () => {
    const long = 'ü'.repeat(2_000);
    const bytes = new TextEncoder().encode(long);
    expect(murmur2(long)).toBe(murmurhash.v2(bytes, 0x9747b28c) | 0);
    expect(murmur2('héllo')).toBe(614509002);
  });

  it('always answers a partition in range', () => {
    for (let i = 0; i < 10_000; i++) {
      const p = partitionFor(`key-${i}`, 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
  });
});
