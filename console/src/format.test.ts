import { describe, expect, it } from 'vitest';
import { ago, bytes, duration, preview, rate } from './format.js';

describe('format', () => {
  it('shows rates with one decimal below 10 and compact above 10,000', () => {
    expect([rate(0), rate(3.24), rate(48.6), rate(12_500), rate(undefined)]).toEqual(['0', '3.2', '49', '12.5K', '–']);
  });

  it('shows durations in the largest whole unit, and -1 as forever', () => {
    expect([duration(604_800_000), duration(120_000), duration(1500), duration(-1)]).toEqual(['7 d', '2 min', '1.5 s', 'forever']);
  });

  it('shows sizes in binary units', () => {
    expect([bytes(512), bytes(65_536), bytes(1_048_576), bytes(1_572_864)]).toEqual(['512 B', '64 KiB', '1 MiB', '1.5 MiB']);
  });

  it('says how long ago', () => {
    expect(ago('2026-01-01T00:00:00.000Z', Date.parse('2026-01-01T00:02:30.000Z'))).toBe('2 min ago');
    expect(ago(null)).toBe('never');
  });

  it('shortens long values, strings as they are and the rest as JSON', () => {
    expect(preview('plain')).toBe('plain');
    expect(preview({ a: 1 })).toBe('{"a":1}');
    expect(preview('x'.repeat(200), 10)).toBe('xxxxxxxxx…');
  });
});
