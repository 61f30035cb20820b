// The offline computation (the reference the live aggregates are checked against) on logs small enough to
// work out by hand, and the simulator's determinism and shape.
import { describe, expect, it } from 'vitest';
import { actions, funnelSteps, MINUTE_MS, personas, type Action, type TelemetryEvent } from '../src/events.js';
import { aggregate } from '../src/offline.js';
import { defaultStart, personaModels, simulate } from '../src/simulator.js';

const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let seq = 0;
const event = (player: string, session: string, type: Action, ts: number, id = `x${seq++}`): TelemetryEvent => ({
  id,
  player,
  persona: 'casual',
  session,
  type,
  ts,
});

describe('aggregate (offline)', () => {
  it('counts events, players, sessions, lengths, the funnel and events per minute from a hand-made log', () => {
    const log = [
      event('ann', 'ann-1', 'login', t0),
      event('ann', 'ann-1', 'lobby', t0 + 10_000),
      event('bob', 'bob-1', 'login', t0 + 20_000, 'dup'),
      event('bob', 'bob-1', 'login', t0 + 20_000, 'dup'), // a redelivery: counted once
      event('ann', 'ann-1', 'match_start', t0 + 30_000),
      event('ann', 'ann-1', 'kill', t0 + 70_000),
      event('ann', 'ann-1', 'match_end', t0 + 2 * MINUTE_MS + 5_000),
      event('ann', 'ann-1', 'logout', t0 + 3 * MINUTE_MS), // 3 minutes: bucket "< 5"
      event('bob', 'bob-1', 'lobby', t0 + 3 * MINUTE_MS + 1),
      event('bob', 'bob-1', 'purchase', t0 + 4 * MINUTE_MS),
      event('bob', 'bob-1', 'logout', t0 + 20_000 + 20 * MINUTE_MS), // 20 minutes: bucket "15–30"
      event('cat', 'cat-1', 'logout', t0 + 21 * MINUTE_MS), // its login never seen: not a session
      event('ann', 'ann-2', 'login', t0 + 30 * MINUTE_MS), // still open at the end
    ];
    const result = aggregate(log);
    expect(result.events).toBe(12);
    expect(result.players).toBe(3);
    expect(result.active_players).toBe(1);
    expect(result.sessions).toEqual({
      started: 3,
      completed: 2,
      total_length_ms: 23 * MINUTE_MS,
      average_length_ms: Math.round((23 * MINUTE_MS) / 2),
      length_histogram: [
        { upto_minutes: 5, count: 1 },
        { upto_minutes: 15, count: 0 },
        { upto_minutes: 30, count: 1 },
        { upto_minutes: 60, count: 0 },
        { upto_minutes: null, count: 0 },
      ],
    });
    expect(result.totals_by_type).toEqual({ login: 3, lobby: 2, match_start: 1, kill: 1, death: 0, match_end: 1, purchase: 1, logout: 3 });
    expect(result.funnel).toEqual([
      { step: 'login', sessions: 3 },
      { step: 'lobby', sessions: 2 },
      { step: 'match_start', sessions: 1 },
      { step: 'match_end', sessions: 1 },
      { step: 'purchase', sessions: 1 },
    ]);
    // Minute 0 to minute 30, every minute present, zeros included.
    const { minutes, by_type } = result.events_per_minute;
    expect(minutes).toHaveLength(31);
    expect(minutes[0]).toBe(t0);
    expect(minutes[30]).toBe(t0 + 30 * MINUTE_MS);
    expect(by_type.login.slice(0, 2)).toEqual([2, 0]);
    expect(by_type.login[30]).toBe(1);
    expect(by_type.kill.slice(0, 2)).toEqual([0, 1]);
    expect(by_type.logout[3]).toBe(1);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(actions.map((action) => sum(by_type[action])))).toBe(12);
    expect(result.last_event_at).toBe(t0 + 30 * MINUTE_MS);
  });

  it('gives the same aggregates whatever the order the events arrive in', () => {
    const log = simulate({ seed: 3, players: 12, events: 600 });
    const shuffled = [...log].reverse();
    // Partitions interleave in any way; redeliveries repeat events.
    const interleaved = [...log.filter((_, i) => i % 2 === 0), ...log.filter((_, i) => i % 2 === 1), ...log.slice(0, 50)];
    expect(aggregate(shuffled)).toEqual(aggregate(log));
    expect(aggregate(interleaved)).toEqual(aggregate(log));
  });

  it('is empty for an empty log', () => {
    const result = aggregate([]);
    expect(result).toMatchObject({ events: 0, players: 0, active_players: 0, last_event_at: null });
    expect(result.sessions.average_length_ms).toBeNull();
    expect(result.events_per_minute.minutes).toEqual([]);
  });
});

describe('the simulator', () => {
  it('is deterministic: a seed gives the same events, another seed others', () => {
    const options = { seed: 42, players: 30, events: 2_000 };
    expect(simulate(options)).toEqual(simulate(options));
    expect(simulate({ ...options, seed: 43 })).not.toEqual(simulate(options));
    // A longer run starts with the shorter one.
    expect(simulate({ ...options, events: 2_500 }).slice(0, 2_000)).toEqual(simulate(options));
  });

  it('emits unique ids, a forward clock, and sessions that follow the personas’ chains', () => {
    const log = simulate({ seed: 7, players: 25, events: 3_000 });
    expect(log).toHaveLength(3_000);
    expect(new Set(log.map((e) => e.id)).size).toBe(3_000);
    expect(log[0]!.ts).toBeGreaterThanOrEqual(defaultStart);
    for (let i = 1; i < log.length; i++) expect(log[i]!.ts).toBeGreaterThanOrEqual(log[i - 1]!.ts);

    const last = new Map<string, TelemetryEvent>();
    for (const e of log) {
      expect(personas).toContain(e.persona);
      const before = last.get(e.player);
      if (before === undefined || before.type === 'logout') {
        // A session begins with a login, under a session id never used before.
        expect(e.type).toBe('login');
        expect(e.session).not.toBe(before?.session);
      } else {
        expect(e.session).toBe(before.session);
        expect(e.persona).toBe(before.persona);
        const allowed = personaModels[e.persona].chain[before.type as Exclude<Action, 'logout'>].map(([next]) => next);
        expect(allowed).toContain(e.type);
      }
      last.set(e.player, e);
    }
    // Every action and every persona shows up in a run this long.
    expect(new Set(log.map((e) => e.type))).toEqual(new Set(actions));
    expect(new Set(log.map((e) => e.persona))).toEqual(new Set(personas));
    // Every session starts at the funnel's first step, so no later step has more sessions.
    const funnel = aggregate(log).funnel;
    expect(funnel.map((step) => step.step)).toEqual([...funnelSteps]);
    for (const step of funnel.slice(1)) expect(step.sessions).toBeLessThanOrEqual(funnel[0]!.sessions);
  });

  it('refuses a simulation without players', () => {
    expect(() => simulate({ seed: 1, players: 0, events: 10 })).toThrow(/at least one player/);
  });
});
