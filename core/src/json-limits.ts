// What a JSON body may cost before it is parsed. JSON.parse allocates an object per element and recursion
// per level, so bytes alone do not bound it: 4 MiB of `[{},{},…]` is a million objects, and 8 KB of `[[[…`
// nests deep enough to overflow the stack wherever the value is walked again (encoding it for storage).
// One linear pass over the text, before parsing, bounds both; it also refuses numbers that JSON.parse would
// silently turn into Infinity (`1e400`), which would be stored as null.
import { TributaryError } from './errors.js';

export interface JsonLimits {
  /** Most arrays and objects open at once. */
  readonly maxDepth: number;
  /** Most values and object members: counted as opening brackets plus commas, plus one. */
  readonly maxElements: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Throws JSON_TOO_DEEP (400), JSON_TOO_MANY_ELEMENTS (413) or INVALID_JSON (400, a number out of range) if
 * `text` breaks a limit. Text that is not JSON at all passes: JSON.parse reports that next.
 */
export function checkJsonLimits(text: string, { maxDepth, maxElements }: JsonLimits): void {
  let depth = 0;
  let elements = 1;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote: one that is not escaped by an odd run of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return; // unterminated: not JSON, JSON.parse says so
        let slashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) {
        throw new TributaryError('JSON_TOO_DEEP', `the request body nests arrays and objects more than ${maxDepth} deep`);
      }
      if (++elements > maxElements) throw tooManyElements(maxElements);
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    } else if (c === COMMA) {
      if (++elements > maxElements) throw tooManyElements(maxElements);
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = checkNumber(text, i) - 1;
    }
  }
}

/** Scans the number starting at `start`; answers the index after it. */
function checkNumber(text: string, start: number): number {
  let end = start;
  let exponent = false;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c === 0x65 || c === 0x45) exponent = true; // e E
    else if (!((c >= ZERO && c <= NINE) || c === MINUS || c === 0x2b || c === 0x2e)) break; // + .
  }
  // Only an exponent or more than 308 digits can leave a double's range.
  if ((exponent || end - start > 308) && !Number.isFinite(Number(text.slice(start, end)))) {
    const shown = end - start > 40 ? `${text.slice(start, start + 40)}…` : text.slice(start, end);
    throw new TributaryError('INVALID_JSON', `the number ${shown} is out of range (it would be stored as null)`);
  }
  return end;
}

function tooManyElements(max: number): TributaryError {
  return new TributaryError('JSON_TOO_MANY_ELEMENTS', `the request body has more than ${max} JSON values and members`);
}
