// How `tributary produce` reads one stdin line (pure parsing; sending is covered in produce.test.ts).
import { describe, expect, it } from 'vitest';
import { parseRecordLine, parseValue } from '../src/produce.js';

describe('parseRecordLine', () => {
  it.each([
    ['user1\thello', { key: 'user1', value: 'hello' }],
    ['user1\t{"a": 1}', { key: 'user1', value: { a: 1 } }],
    ['user1\ta\tb', { key: 'user1', value: 'a\tb' }],
    ['\t42', { key: '', value: 42 }],
    ['user1\t', { key: 'user1', value: '' }],
    ['just a value', { key: 'dflt', value: 'just a value' }],
    ['{"key": "k", "value": [1, 2]}', { key: 'k', value: [1, 2] }],
    ['  {"value": null}', { key: 'dflt', value: null }],
    ['{"key": "k", "value": "v", "headers": {"h": "1"}}', { key: 'k', value: 'v', headers: { h: '1' } }],
  ])('%j', (line, record) => {
    expect(parseRecordLine(line, 'dflt')).toEqual(record);
  });

  it('skips blank lines', () => {
    expect(parseRecordLine('', 'k')).toBeUndefined();
    expect(parseRecordLine('  \t ', 'k')).toBeUndefined();
  });

  it.each([
    ['{oops', /not valid JSON/],
    ['{"key": "k"}', /needs a "value"/],
    ['{"key": 1, "value": 1}', /"key" must be a string/],
    ['{"value": 1, "partition": 2}', /unknown field "partition"/],
    ['{"value": 1, "headers": ["a"]}', /"headers" must be an object of strings/],
  ])('refuses %j', (line, why) => {
    expect(() => parseRecordLine(line, 'k')).toThrow(why);
  });
});

describe('parseValue', () => {
  it('sends JSON as JSON and anything else as the string typed', () => {
    expect(parseValue('{"a":1}')).toEqual({ a: 1 });
    expect(parseValue('3.5')).toBe(3.5);
    expect(parseValue('false')).toBe(false);
    expect(parseValue('null')).toBeNull();
    expect(parseValue('"x"')).toBe('x');
    expect(parseValue('hello world')).toBe('hello world');
    expect(parseValue('')).toBe('');
  });

  it('keeps integers too large for a double as typed, so no digit is lost', () => {
    expect(parseValue('9007199254740993')).toBe('9007199254740993');
    expect(parseValue('9007199254740991')).toBe(9_007_199_254_740_991);
  });
});
