import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/duration.js';

describe('parseDuration', () => {
  it.each([
    ['7d', 604_800_000],
    ['12h', 43_200_000],
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['1ms', 1],
    [' 2H ', 7_200_000],
    ['-1', -1],
    ['forever', -1],
    ['FOREVER', -1],
  ])('%j → %i', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '7', 'd', '1.5h', '-2d', '7 d', '7days', '1w', '0s', '0ms', '+5m', '9999999999999999d'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration|out of range/);
  });
});

describe('formatDuration', () => {
  it.each([
    [604_800_000, '7d'],
    [129_600_000, '36h'],
    [5_400_000, '90m'],
    [90_000, '90s'],
    [1_500, '1500ms'],
    [-1, 'forever'],
  ])('%i → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_000, 3_600_000, 86_400_000 * 30, -1]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
