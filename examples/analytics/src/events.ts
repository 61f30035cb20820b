// The telemetry the simulator emits and the aggregates computed from it. Everything an aggregate needs is in
// the event itself (its time is the simulator's clock, not the wall clock), so the same log always gives the
// same aggregates, whoever computes them and in whatever order the events arrive.

export const actions = ['login', 'lobby', 'match_start', 'kill', 'death', 'match_end', 'purchase', 'logout'] as const;
export type Action = (typeof actions)[number];

export const personas = ['casual', 'competitive', 'whale'] as const;
export type Persona = (typeof personas)[number];

export interface TelemetryEvent {
  /** Unique: the record id on the topic and the aggregator's idempotency key. */
  id: string;
  player: string;
  persona: Persona;
  /** A session runs from a player's login to their logout. */
  session: string;
  type: Action;
  /** The simulator's clock, ms since the epoch. */
  ts: number;
}

/** The funnel: sessions that reached each step (in any order; the simulator's chain visits them in order). */
export const funnelSteps: readonly Action[] = ['login', 'lobby', 'match_start', 'match_end', 'purchase'];

/** Upper bounds (exclusive) of the session-length buckets, in minutes; the last bucket has none. */
export const lengthBucketsMinutes: readonly number[] = [5, 15, 30, 60];

export interface Aggregates {
  /** Distinct events (by id). */
  events: number;
  /** Distinct players seen. */
  players: number;
  /** Players with a session open: its login seen and its logout not (yet). */
  active_players: number;
  sessions: {
    /** Sessions whose login was seen. */
    started: number;
    /** Sessions whose login and logout were both seen. */
    completed: number;
    total_length_ms: number;
    /** total_length_ms / completed, rounded to the ms; null before the first completed session. */
    average_length_ms: number | null;
    /** Completed sessions by length: bucket i holds lengths below lengthBucketsMinutes[i] (and at or above the one before). */
    length_histogram: Array<{ upto_minutes: number | null; count: number }>;
  };
  totals_by_type: Record<Action, number>;
  /** One point per minute of simulated time from the first event's minute to the last's, zeros included. */
  events_per_minute: { minutes: number[]; by_type: Record<Action, number[]> };
  funnel: Array<{ step: Action; sessions: number }>;
  /** The latest event time seen. */
  last_event_at: number | null;
}

export const MINUTE_MS = 60_000;

/** The histogram bucket of a session length. */
export function lengthBucket(lengthMs: number): number {
  const index = lengthBucketsMinutes.findIndex((minutes) => lengthMs < minutes * MINUTE_MS);
  return index === -1 ? lengthBucketsMinutes.length : index;
}

export function emptyByType<T>(make: () => T): Record<Action, T> {
  return Object.fromEntries(actions.map((action) => [action, make()])) as Record<Action, T>;
}

/** Dense per-minute series from sparse counts (minute number → count per type). */
export function perMinuteSeries(counts: Record<Action, Map<number, number>>): Aggregates['events_per_minute'] {
  let first = Infinity;
  let last = -Infinity;
  for (const action of actions) {
    for (const minute of counts[action].keys()) {
      first = Math.min(first, minute);
      last = Math.max(last, minute);
    }
  }
  const minutes: number[] = [];
  for (let minute = first; minute <= last; minute++) minutes.push(minute * MINUTE_MS);
  const by_type = emptyByType<number[]>(() => []);
  for (const action of actions) {
    by_type[action] = minutes.map((start) => counts[action].get(start / MINUTE_MS) ?? 0);
  }
  return { minutes, by_type };
}

/** An event from a record's value, or undefined if it is not one (anyone may write to the topic). */
export function parseEvent(value: unknown): TelemetryEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Record<string, unknown>;
  const ok =
    typeof event['id'] === 'string' &&
    typeof event['player'] === 'string' &&
    typeof event['session'] === 'string' &&
    (personas as readonly unknown[]).includes(event['persona']) &&
    (actions as readonly unknown[]).includes(event['type']) &&
    Number.isSafeInteger(event['ts']) &&
    (event['ts'] as number) >= 0;
  return ok ? (event as unknown as TelemetryEvent) : undefined;
}
