import { describe, expect, it } from 'vitest';
import { fields, table } from '../src/output.js';

describe('table', () => {
  it('upper-cases headers, right-aligns numeric columns and pads the rest', () => {
    expect(
      table(
        ['name', 'partitions', 'retention'],
        [
          ['orders', 3, '7d'],
          ['a', 120, 'forever'],
        ],
      ),
    ).toBe(['NAME    PARTITIONS  RETENTION', 'orders           3  7d', 'a              120  forever'].join('\n'));
  });

  it('shows missing values as "-" and keeps text columns left-aligned', () => {
    expect(table(['service', 'redis'], [['broker', 'ready'], ['gateway', undefined]])).toBe(
      ['SERVICE  REDIS', 'broker   ready', 'gateway  -'].join('\n'),
    );
  });

  it('is just the header with no rows', () => {
    expect(table(['partition', 'records'], [])).toBe('PARTITION  RECORDS');
  });
});

describe('fields', () => {
  it('aligns values after the longest label', () => {
    expect(fields([['topic', 'orders'], ['partitions', 3]])).toBe('topic       orders\npartitions  3');
  });
});
