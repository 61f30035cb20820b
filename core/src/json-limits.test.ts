import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonLimits } from './json-limits.js';
import { TributaryError } from './errors.js';

const limits = { maxDepth: 4, maxElements: 10 };

function codeOf(text: string): string | undefined {
  try {
    checkJsonLimits(text, limits);
    return undefined;
  } catch (err) {
    return (err as TributaryError).code;
  }
}

describe('checkJsonLimits', () => {
  it('passes JSON within the limits', () => {
    expect(codeOf('{"a":[1,2,{"b":[true]}]}')).toBeUndefined();
    expect(codeOf('"a string with [[[[[ and ,,,,,,,,,,,, inside"')).toBeUndefined();
  });

  it('refuses nesting deeper than maxDepth, counting arrays and objects alike', () => {
    expect(codeOf('[[[[1]]]]')).toBeUndefined();
    expect(codeOf('[[[[[1]]]]]')).toBe('JSON_TOO_DEEP');
    expect(codeOf('{"a":{"b":[{"c":[0]}]}}')).toBe('JSON_TOO_DEEP');
  });

  it('refuses the 4,100-level value that once overflowed the stack while it was encoded', () => {
    expect(() => checkJsonLimits(`{"key":"k","value":${'['.repeat(4100)}${']'.repeat(4100)}}`, { maxDepth: 64, maxElements: 1e6 })).toThrow(
      /nests arrays and objects more than 64 deep/,
    );
  });

  it('refuses more values and members than maxElements', () => {
    expect(codeOf('[1,2,3,4,5,6,7,8,9]')).toBeUndefined(); // the array and its 9 numbers
    expect(codeOf('[1,2,3,4,5,6,7,8,9,10]')).toBe('JSON_TOO_MANY_ELEMENTS');
    expect(codeOf('[{},{},{},{},{},{}]')).toBe('JSON_TOO_MANY_ELEMENTS');
  });

  it('skips string contents, escaped quotes included', () => {
    expect(codeOf('["\\"[[[[[[,,,,,,,,,,,,\\\\", 1]')).toBeUndefined();
    expect(codeOf('["\\\\", [[[[1]]]]]')).toBe('JSON_TOO_DEEP');
  });

  it('refuses numbers that JSON.parse would turn into Infinity', () => {
    expect(codeOf('{"v":1e400}')).toBe('INVALID_JSON');
    expect(codeOf('{"v":-1E+309}')).toBe('INVALID_JSON');
    expect(codeOf(`[${'9'.repeat(400)}]`)).toBe('INVALID_JSON');
    expect(codeOf('[1e308, -2.5e-300, 12345678901234567890]')).toBeUndefined();
    expect(codeOf('"1e400"')).toBeUndefined();
  });

  it('leaves text that is not JSON to JSON.parse', () => {
    expect(codeOf('{"unterminated')).toBeUndefined();
    expect(codeOf('nonsense')).toBeUndefined();
  });

  it('agrees with JSON.parse on depth and element count for any JSON text (property)', () => {
    const depthOf = (value: unknown): number =>
      value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    const valuesIn = (value: unknown): number =>
      value !== null && typeof value === 'object' ? 1 + Object.values(value).reduce<number>((n, v) => n + valuesIn(v), 0) : 1;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 60 }), (value, maxDepth, maxElements) => {
        const text = JSON.stringify(value);
        let code: string | undefined;
        try {
          checkJsonLimits(text, { maxDepth, maxElements });
        } catch (err) {
          code = (err as TributaryError).code;
        }
        const parsed = JSON.parse(text) as unknown;
        if (depthOf(parsed) > maxDepth) expect(code).toMatch(/JSON_TOO_DEEP|JSON_TOO_MANY_ELEMENTS/);
        // The count is an upper bound (an empty array or object counts as two): never below the true count.
        else if (valuesIn(parsed) > maxElements) expect(code).toBe('JSON_TOO_MANY_ELEMENTS');
        else if (code !== undefined) expect(code).toBe('JSON_TOO_MANY_ELEMENTS');
      }),
      { numRuns: 2_000 },
    );
  });
});
