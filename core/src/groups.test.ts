import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { globMatcher, isDeadLetterTopic } from './groups.js';

/** The same glob as a regex, for reference (fine for short inputs). */
const reference = (pattern: string) => new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.\\-]/g, '\\$&'))).join('')}$`);

describe('globMatcher', () => {
  it('matches * as any run of characters, dots included, and ? as one character', () => {
    const game = globMatcher('game.*');
    expect(['game.scores', 'game.', 'game.a.b'].map(game)).toEqual([true, true, true]);
    expect(['game', 'games.x', 'xgame.a'].map(game)).toEqual([false, false, false]);
    expect(globMatcher('a?c')('abc')).toBe(true);
    expect(globMatcher('a?c')('ac')).toBe(false);
    expect(globMatcher('*')('')).toBe(true);
    expect(globMatcher('orders')('orders')).toBe(true);
  });

  it('agrees with the equivalent regex', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab.*?]{0,8}$/), fc.stringMatching(/^[ab.]{0,12}$/), (pattern, name) => {
        expect(globMatcher(pattern)(name)).toBe(reference(pattern).test(name));
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers patterns that make a backtracking regex explode (the regex would not finish in this test)', () => {
    expect(globMatcher(`${'*a'.repeat(100)}*b`)('a'.repeat(249))).toBe(false);
    expect(globMatcher(`${'*a'.repeat(100)}*`)('a'.repeat(249))).toBe(true);
  });
});

describe('isDeadLetterTopic', () => {
  it('recognises names the template makes', () => {
    expect(isDeadLetterTopic('{topic}.dlq', 'orders.dlq')).toBe(true);
    expect(isDeadLetterTopic('{topic}.dlq', '.dlq')).toBe(false);
    expect(isDeadLetterTopic('{topic}.dlq', 'orders')).toBe(false);
    expect(isDeadLetterTopic('dead.{topic}', 'dead.orders')).toBe(true);
    expect(isDeadLetterTopic('errors', 'errors')).toBe(true);
    expect(isDeadLetterTopic(null, 'orders.dlq')).toBe(false);
    expect(isDeadLetterTopic('{topic}', 'orders')).toBe(false);
  });
});
