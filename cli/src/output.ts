// Everything the CLI prints goes through here. Results go to stdout: a table or short lines for people, or
// with --json exactly one JSON document (JSON lines for streams) and nothing else. Progress, prompts and
// errors go to stderr, so `--json` output can always be piped into jq.

export type Cell = string | number | boolean | null | undefined;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLines(...lines: string[]): void {
  process.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * A record's value as plain output shows it: a string as itself (no JSON quotes), anything else as JSON. A
 * string with a line break or tab stays JSON-quoted, so each record is still one tab-separated line.
 */
export function plainValue(value: unknown): string {
  return typeof value === 'string' && !/[\n\r\t]/.test(value) ? value : JSON.stringify(value);
}

/** Whether a stream is a terminal that should get colour: not with NO_COLOR set (https://no-color.org), nor TERM=dumb. */
export function colourFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

const STYLES = { bold: [1, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22] } as const;

/** `text` in a style when `on` (see colourFor), else as it is. */
export function paint(style: keyof typeof STYLES, text: string, on: boolean): string {
  const [open, close] = STYLES[style];
  return on ? `\x1b[${open}m${text}\x1b[${close}m` : text;
}

/**
 * A plain, kubectl-style table: upper-case headers, columns two spaces apart, numbers right-aligned.
 * Pure, so the layout is tested without a terminal.
 */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const widths = headers.map((header, i) => Math.max(header.length, ...text.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...text.map(line)].join('\n');
}

/** Aligned `label  value` lines, for one object's properties. */
export function fields(pairs: ReadonlyArray<readonly [label: string, value: Cell]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${cellText(value)}`.trimEnd()).join('\n');
}

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '-';
  return String(value);
}
