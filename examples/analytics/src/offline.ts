// The aggregates computed offline from the simulator's own log: a pure function, the reference the live
// aggregator's answers are checked against. `node dist/offline.js events.jsonl` prints them for a log the
// simulator wrote (LOG_FILE), to compare with the dashboard's /api/aggregates.
import { readFileSync } from 'node:fs';
import { isMain, run } from '@tributary/example-kit';
import {
  emptyByType,
  funnelSteps,
  lengthBucket,
  lengthBucketsMinutes,
  MINUTE_MS,
  perMinuteSeries,
  type Action,
  type Aggregates,
  type TelemetryEvent,
} from './events.js';

export function aggregate(log: Iterable<TelemetryEvent>): Aggregates {
  const seen = new Set<string>();
  const players = new Set<string>();
  const sessions = new Map<string, { player: string; start?: number; end?: number; steps: Set<Action> }>();
  const totals = emptyByType(() => 0);
  const perMinute = emptyByType(() => new Map<number, number>());
  let last: number | null = null;

  for (const event of log) {
    if (seen.has(event.id)) continue; // a duplicate counts once
    seen.add(event.id);
    players.add(event.player);
    totals[event.type]++;
    const minute = Math.floor(event.ts / MINUTE_MS);
    perMinute[event.type].set(minute, (perMinute[event.type].get(minute) ?? 0) + 1);
    last = last === null ? event.ts : Math.max(last, event.ts);
    let session = sessions.get(event.session);
    if (!session) sessions.set(event.session, (session = { player: event.player, steps: new Set() }));
    session.steps.add(event.type);
    // A session's first login and first logout count (the simulator gives each session one of each).
    if (event.type === 'login') session.start ??= event.ts;
    if (event.type === 'logout') session.end ??= event.ts;
  }

  let started = 0;
  let completed = 0;
  let totalLength = 0;
  const histogram = new Array<number>(lengthBucketsMinutes.length + 1).fill(0);
  const activePlayers = new Set<string>();
  for (const session of sessions.values()) {
    if (session.start === undefined) continue;
    started++;
    if (session.end === undefined) {
      activePlayers.add(session.player);
      continue;
    }
    const length = session.end - session.start;
    completed++;
    totalLength += length;
    histogram[lengthBucket(length)]!++;
  }

  return {
    events: seen.size,
    players: players.size,
    active_players: activePlayers.size,
    sessions: {
      started,
      completed,
      total_length_ms: totalLength,
      average_length_ms: completed === 0 ? null : Math.round(totalLength / completed),
      length_histogram: histogram.map((count, i) => ({ upto_minutes: lengthBucketsMinutes[i] ?? null, count })),
    },
    totals_by_type: totals,
    events_per_minute: perMinuteSeries(perMinute),
    funnel: funnelSteps.map((step) => ({
      step,
      sessions: [...sessions.values()].filter((session) => session.steps.has(step)).length,
    })),
    last_event_at: last,
  };
}

/** The simulator's log: one event per line (JSON Lines). */
export function readLog(path: string): TelemetryEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TelemetryEvent);
}

if (isMain(import.meta.url)) {
  run('offline', async () => {
    const path = process.argv[2];
    if (path === undefined) throw new Error('usage: offline.js <events.jsonl>');
    process.stdout.write(`${JSON.stringify(aggregate(readLog(path)), null, 2)}\n`);
  });
}
