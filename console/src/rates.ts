// Records in and out per second, from counters the public API shows: a topic's records in are the growth
// of the sum of its partitions' next offsets; a consumer's records out are the growth of how far it has
// committed (the topic's next offsets minus its lag). Counters are keyed by topic id (and consumer), so a
// topic deleted and created again under its name is a new counter, never a negative rate.

/** Counter values at one moment. */
export interface Sample {
  at: number; // ms
  counters: ReadonlyMap<string, number>;
}

/** Per counter seen in both samples, its growth per second; a counter that went down restarted and counts 0. */
export function rates(before: Sample, after: Sample): Map<string, number> {
  const seconds = (after.at - before.at) / 1000;
  const result = new Map<string, number>();
  if (seconds <= 0) return result;
  for (const [key, value] of after.counters) {
    const previous = before.counters.get(key);
    if (previous !== undefined) result.set(key, Math.max(0, value - previous) / seconds);
  }
  return result;
}

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** A fixed-length window of (time, series…) points (a value unknown at that time is null, a gap in the line), in the column layout uPlot draws. */
export class History {
  readonly #capacity: number;
  readonly #columns: Array<Array<number | null>>;

  constructor(series: number, capacity: number) {
    this.#capacity = capacity;
    this.#columns = Array.from({ length: series + 1 }, () => []);
  }

  push(at: number, ...values: Array<number | null>): void {
    const row = [at / 1000, ...values];
    this.#columns.forEach((column, i) => {
      column.push(row[i] ?? null);
      if (column.length > this.#capacity) column.shift();
    });
  }

  get length(): number {
    return this.#columns[0]!.length;
  }

  /** [times in seconds, series… (null: no value)]: copies, so a chart never sees a later push half done. */
  columns(): Array<Array<number | null>> {
    return this.#columns.map((column) => column.slice());
  }
}
