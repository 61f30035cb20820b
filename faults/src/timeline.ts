// When things happened during a scenario, in ms since its load started: acknowledgements and successful reads
// (for the longest unavailability), ack latencies (for the p99 per phase) and the fault's own events.

export interface Phases {
  /** The fault was injected. */
  faultAt: number;
  /** The faulted part was back and every service answered /readyz. */
  healedAt: number;
  /** Producers were told to stop. */
  loadEndAt: number;
}

export type PhaseName = 'before' | 'during' | 'after';

export class Timeline {
  readonly #origin = performance.now();
  /** Completion times of write requests that acknowledged at least one record. */
  readonly writeOks: number[] = [];
  /** Completion times of consumer reads answered 200. */
  readonly readOks: number[] = [];
  /** Per acked record: when its first attempt started, and how long until the ack (retries included). */
  readonly ackLatencies: Array<{ sentAt: number; ms: number }> = [];
  readonly events: Array<{ at: number; what: string }> = [];

  now(): number {
    return performance.now() - this.#origin;
  }

  event(what: string): void {
    this.events.push({ at: this.now(), what });
  }
}

export function phaseOf(at: number, phases: Phases): PhaseName {
  if (at < phases.faultAt) return 'before';
  return at < phases.healedAt ? 'during' : 'after';
}

/** p99 of the ack latency of records first sent in each phase; undefined for a phase with none. */
export function p99ByPhase(timeline: Timeline, phases: Phases): Record<PhaseName, number | undefined> {
  const latencies: Record<PhaseName, number[]> = { before: [], during: [], after: [] };
  for (const { sentAt, ms } of timeline.ackLatencies) latencies[phaseOf(sentAt, phases)].push(ms);
  return { before: percentile(latencies.before, 0.99), during: percentile(latencies.during, 0.99), after: percentile(latencies.after, 0.99) };
}

export function percentile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** The longest stretch of [from, to] without one of `instants`: how long clients waited for any success. */
export function longestGap(instants: readonly number[], from: number, to: number): number {
  const inside = instants.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const t of [...inside, to]) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return longest;
}
