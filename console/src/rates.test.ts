import { describe, expect, it } from 'vitest';
import { History, rates, sum } from './rates.js';

const sample = (at: number, entries: Array<[string, number]>) => ({ at, counters: new Map(entries) });

describe('rates', () => {
  it('is the growth per second of each counter present in both samples', () => {
    const result = rates(sample(1_000, [['a', 10], ['b', 5], ['gone', 3]]), sample(3_000, [['a', 30], ['b', 5], ['new', 100]]));
    expect(result).toEqual(new Map([['a', 10], ['b', 0]]));
    expect(sum(result.values())).toBe(10);
  });

  it('counts a counter that went down (a consumer seeking back) as 0, never negative', () => {
    expect(rates(sample(0, [['a', 50]]), sample(1_000, [['a', 20]])).get('a')).toBe(0);
  });

  it('gives nothing for samples not apart in time', () => {
    expect(rates(sample(5, [['a', 1]]), sample(5, [['a', 2]])).size).toBe(0);
  });
});

describe('History', () => {
  it('keeps the last points in columns of seconds and values, a missing value as null', () => {
    const history = new History(2, 3);
    for (let i = 1; i <= 4; i++) history.push(i * 1000, i, i === 3 ? null : i * 10);
    expect(history.length).toBe(3);
    expect(history.columns()).toEqual([
      [2, 3, 4],
      [2, 3, 4],
      [20, null, 40],
    ]);
  });
});
