import { describe, expect, it } from 'vitest';
import { colourFor, paint, plainValue } from './output.js';

describe('plain output', () => {
  it('prints string values as they are, anything else as JSON', () => {
    expect(plainValue('Breaking news update')).toBe('Breaking news update');
    expect(plainValue({ total: 42 })).toBe('{"total":42}');
    expect(plainValue(7)).toBe('7');
    expect(plainValue(null)).toBe('null');
  });

  it('keeps a string with a line break or tab JSON-quoted, so a record stays one line', () => {
    expect(plainValue('two\nlines')).toBe('"two\\nlines"');
    expect(plainValue('a\tb')).toBe('"a\\tb"');
  });
});

describe('colour', () => {
  const terminal = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it('only on a terminal, and never with NO_COLOR or TERM=dumb', () => {
    expect(colourFor(terminal, {})).toBe(true);
    expect(colourFor(pipe, {})).toBe(false);
    expect(colourFor(terminal, { NO_COLOR: '1' })).toBe(false);
    expect(colourFor(terminal, { TERM: 'dumb' })).toBe(false);
  });

  it('paints only when on', () => {
    expect(paint('red', 'error:', true)).toBe('\x1b[31merror:\x1b[39m');
    expect(paint('red', 'error:', false)).toBe('error:');
  });
});
