// Durations as operators type them (`7d`, `12h`, `30m`, `90s`, `500ms`) and as the broker stores them
// (milliseconds, -1 for "keep forever").

const UNITS: ReadonlyArray<readonly [suffix: string, ms: number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Milliseconds for `7d`-style text, -1 for `-1` or `forever`; throws a message fit for the user. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '-1' || trimmed === 'forever') return -1;
  const match = /^(\d+)(ms|[dhms])$/.exec(trimmed);
  const unit = match && UNITS.find(([suffix]) => suffix === match[2]);
  if (!match || !unit) {
    throw new Error(`"${text}" is not a duration: use a whole number with d, h, m, s or ms (7d, 12h, 500ms), or -1/forever`);
  }
  const ms = Number(match[1]) * unit[1];
  if (ms < 1) throw new Error(`"${text}" is out of range: a duration must be at least 1ms (or -1/forever)`);
  if (!Number.isSafeInteger(ms)) throw new Error(`"${text}" is out of range: too long to count in milliseconds`);
  return ms;
}

/** The largest unit that states `ms` exactly: 604800000 → `7d`, 5400000 → `90m`, -1 → `forever`. */
export function formatDuration(ms: number): string {
  if (ms === -1) return 'forever';
  const unit = UNITS.find(([, size]) => ms > 0 && ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}
