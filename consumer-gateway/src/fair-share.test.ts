import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fairShares } from './fair-share.js';

describe('fairShares', () => {
  it('splits a budget evenly, giving what an idle or short partition does not need to the others', () => {
    expect(fairShares([100, 100, 100], 90, 0)).toEqual([30, 30, 30]);
    expect(fairShares([100, 0, 100], 90, 0)).toEqual([45, 0, 45]);
    expect(fairShares([5, 100, 100], 90, 0)).toEqual([5, 43, 42]);
    expect(fairShares([0, 0], 10, 0)).toEqual([0, 0]);
  });

  it('serves the partitions from `start` on when the budget is smaller than their number', () => {
    expect(fairShares([9, 9, 9, 9], 2, 0)).toEqual([1, 1, 0, 0]);
    expect(fairShares([9, 9, 9, 9], 2, 2)).toEqual([0, 0, 1, 1]);
  });

  it('never gives a partition more than it has, nor more than the budget in all, and wastes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 500 }), fc.integer(), (available, budget, start) => {
        const shares = fairShares(available, budget, start);
        const total = shares.reduce((a, b) => a + b, 0);
        expect(total).toBe(Math.min(budget, available.reduce((a, b) => a + b, 0)));
        shares.forEach((share, i) => expect(share).toBeLessThanOrEqual(available[i]!));
        // Fair: a partition that got less than another by two or more was exhausted.
        shares.forEach((share, i) => shares.forEach((other) => other - share >= 2 && expect(share).toBe(available[i])));
      }),
      { numRuns: 500 },
    );
  });
});
