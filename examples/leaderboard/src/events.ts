// The game's events, as the simulator writes them to the topic and the processor reads them back. Every event
// has a unique id: the broker's write dedup and the processor's apply dedup both key on it.
import { seededRandom } from '@tributary/example-kit';

export const EVENT_TYPES = ['player_scored', 'player_joined', 'achievement_unlocked'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

interface EventBase {
  id: string;
  player: string;
  /** When the simulator made it, ms since the epoch. */
  ts: number;
}
export type GameEvent =
  | (EventBase & { type: 'player_scored'; points: number })
  | (EventBase & { type: 'player_joined'; name: string })
  | (EventBase & { type: 'achievement_unlocked'; achievement: string });

export const ACHIEVEMENTS = ['First Blood', 'Sharpshooter', 'Marathon', 'Untouchable', 'Combo x10', 'Comeback', 'Speedrunner', 'Collector'];
const FIRST = ['Ada', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kit', 'Lu', 'Max', 'Nia', 'Oz', 'Pip'];
const LAST = ['Quill', 'Rook', 'Storm', 'Thorn', 'Vale', 'Wren', 'Blaze', 'Frost'];

/** A player id and valid event id: what the processor and the API accept. */
export const PLAYER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface GeneratorOptions {
  seed: number;
  /** Prefix of every event id (`<run>-<sequence>`): a new run must not reuse an earlier run's ids. */
  run: string;
  players: number;
  /** The first event's sequence number. */
  start?: number;
  now?: () => number;
}

/**
 * An endless stream of events: 70 % player_scored, 20 % player_joined, 10 % achievement_unlocked, over a
 * fixed pool of players. The same options give the same events (timestamps aside, which come from `now`).
 */
export function* gameEvents({ seed, run, players, start = 0, now = Date.now }: GeneratorOptions): Generator<GameEvent> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  for (let sequence = start; ; sequence++) {
    const roll = random();
    const player = `player-${String(Math.floor(random() * players) + 1).padStart(3, '0')}`;
    const base = { id: `${run}-${sequence}`, player, ts: now() };
    if (roll < 0.7) yield { ...base, type: 'player_scored', points: 1 + Math.floor(random() * 100) };
    else if (roll < 0.9) yield { ...base, type: 'player_joined', name: `${pick(FIRST)} ${pick(LAST)}` };
    else yield { ...base, type: 'achievement_unlocked', achievement: pick(ACHIEVEMENTS) };
  }
}

/** The first `count` events of a run. */
export function takeEvents(options: GeneratorOptions, count: number): GameEvent[] {
  const events: GameEvent[] = [];
  for (const event of gameEvents(options)) {
    if (events.length === count) break;
    events.push(event);
  }
  return events;
}

/**
 * The event in a record's value, or why it is not one: the topic is open to anyone who may write to it, so
 * the processor checks every field before it counts anything.
 */
export function parseEvent(value: unknown): GameEvent | string {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const event = value as Record<string, unknown>;
  if (typeof event['id'] !== 'string' || event['id'].length === 0 || event['id'].length > 128) return 'id must be a string of 1 to 128 characters';
  if (typeof event['player'] !== 'string' || !PLAYER_ID_PATTERN.test(event['player'])) return 'player must match [A-Za-z0-9._-]{1,64}';
  const ts = typeof event['ts'] === 'number' && Number.isFinite(event['ts']) ? event['ts'] : Date.now();
  const base = { id: event['id'], player: event['player'], ts };
  switch (event['type']) {
    case 'player_scored': {
      const points = event['points'];
      if (typeof points !== 'number' || !Number.isSafeInteger(points) || Math.abs(points) > 1_000_000_000) return 'points must be an integer';
      return { ...base, type: 'player_scored', points };
    }
    case 'player_joined': {
      const name = event['name'];
      if (typeof name !== 'string' || name.length === 0 || name.length > 64) return 'name must be a string of 1 to 64 characters';
      return { ...base, type: 'player_joined', name };
    }
    case 'achievement_unlocked': {
      const achievement = event['achievement'];
      if (typeof achievement !== 'string' || achievement.length === 0 || achievement.length > 64) return 'achievement must be a string of 1 to 64 characters';
      return { ...base, type: 'achievement_unlocked', achievement };
    }
    default:
      return `type must be one of ${EVENT_TYPES.join(', ')}`;
  }
}
