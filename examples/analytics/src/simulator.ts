// The telemetry simulator: players of three personas go through sessions of in-game actions, each step drawn
// from their persona's Markov chain, on a simulated clock. It is deterministic: a seed, a player count and an
// event count give the same events (ids and timestamps included) every time, so the aggregates of a run can be
// computed again offline from the same log and must come out equal.
//
//   node dist/simulator.js        SEED PLAYERS EVENTS (0: for ever) RATE (events/s, 0: flat out) BATCH
//                                 PARTITIONS LOG_FILE (JSON Lines) TOPIC BROKER_URL GATEWAY_URL TRIBUTARY_API_KEY
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { integer, isMain, run, seededRandom, text, tributaryFromEnv, type Tributary } from '@tributary/example-kit';
import { settingsFromEnv } from './env.js';
import { MINUTE_MS, type Action, type Persona, type TelemetryEvent } from './events.js';

type InSession = Exclude<Action, 'logout'>;
type Chain = Record<InSession, Array<[Action, number]>>;

interface PersonaModel {
  /** Share of the players. */
  weight: number;
  chain: Chain;
  /** Minutes offline between a logout and the next login. */
  breakMinutes: [number, number];
}

// Casual players leave after a match or two; competitive ones play match after match; whales buy.
export const personaModels: Record<Persona, PersonaModel> = {
  casual: {
    weight: 0.6,
    breakMinutes: [20, 120],
    chain: {
      login: [['lobby', 1]],
      lobby: [['match_start', 0.6], ['purchase', 0.03], ['logout', 0.37]],
      match_start: [['kill', 0.35], ['death', 0.55], ['match_end', 0.1]],
      kill: [['kill', 0.25], ['death', 0.45], ['match_end', 0.3]],
      death: [['kill', 0.3], ['death', 0.2], ['match_end', 0.5]],
      match_end: [['lobby', 0.55], ['purchase', 0.02], ['logout', 0.43]],
      purchase: [['lobby', 0.7], ['logout', 0.3]],
    },
  },
  competitive: {
    weight: 0.3,
    breakMinutes: [5, 40],
    chain: {
      login: [['lobby', 1]],
      lobby: [['match_start', 0.9], ['purchase', 0.02], ['logout', 0.08]],
      match_start: [['kill', 0.6], ['death', 0.35], ['match_end', 0.05]],
      kill: [['kill', 0.45], ['death', 0.3], ['match_end', 0.25]],
      death: [['kill', 0.45], ['death', 0.15], ['match_end', 0.4]],
      match_end: [['lobby', 0.85], ['purchase', 0.03], ['logout', 0.12]],
      purchase: [['lobby', 0.9], ['logout', 0.1]],
    },
  },
  whale: {
    weight: 0.1,
    breakMinutes: [10, 60],
    chain: {
      login: [['lobby', 0.7], ['purchase', 0.3]],
      lobby: [['match_start', 0.6], ['purchase', 0.3], ['logout', 0.1]],
      match_start: [['kill', 0.45], ['death', 0.45], ['match_end', 0.1]],
      kill: [['kill', 0.3], ['death', 0.4], ['match_end', 0.3]],
      death: [['kill', 0.3], ['death', 0.25], ['match_end', 0.45]],
      match_end: [['lobby', 0.5], ['purchase', 0.35], ['logout', 0.15]],
      purchase: [['lobby', 0.6], ['purchase', 0.2], ['logout', 0.2]],
    },
  },
};

/** Seconds from an action to the player's next one. */
const dwellSeconds: Record<InSession, [number, number]> = {
  login: [5, 30],
  lobby: [10, 90],
  match_start: [20, 120],
  kill: [10, 60],
  death: [10, 60],
  match_end: [10, 60],
  purchase: [5, 40],
};

export interface SimulationOptions {
  seed: number;
  players: number;
  /** When the simulated clock starts (ms since the epoch); the default is fixed, for the same reason as the seed. */
  start?: number;
}

export const defaultStart = Date.UTC(2026, 0, 1, 18, 0, 0);

interface PlayerState {
  id: string;
  persona: Persona;
  state: Action; // the last action; 'logout' also before the first login
  session: string;
  sessions: number;
  nextAt: number;
}

/** The simulation's events, in simulated-time order, for as long as they are asked for. */
export function* simulation({ seed, players: count, start = defaultStart }: SimulationOptions): Generator<TelemetryEvent> {
  if (!Number.isInteger(count) || count < 1) throw new Error('a simulation needs at least one player');
  const next = seededRandom(seed);
  const between = ([low, high]: [number, number]) => low + next() * (high - low);
  const pick = <T>(choices: Array<[T, number]>): T => {
    let roll = next() * choices.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [choice, weight] of choices) {
      roll -= weight;
      if (roll < 0) return choice;
    }
    return choices[choices.length - 1]![0];
  };
  const personaChoices = Object.entries(personaModels).map(([persona, model]): [Persona, number] => [persona as Persona, model.weight]);
  const players: PlayerState[] = Array.from({ length: count }, (_, i) => ({
    id: `p${String(i + 1).padStart(4, '0')}`,
    persona: pick(personaChoices),
    state: 'logout',
    session: '',
    sessions: 0,
    // Players come online over the first half hour.
    nextAt: start + Math.floor(next() * 30 * MINUTE_MS),
  }));

  for (let seq = 0; ; seq++) {
    // The player whose next action is soonest (the first such on a tie): the clock only moves forward.
    let player = players[0]!;
    for (const candidate of players) if (candidate.nextAt < player.nextAt) player = candidate;
    const model = personaModels[player.persona];
    let type: Action;
    if (player.state === 'logout') {
      type = 'login';
      player.sessions++;
      player.session = `${player.id}-s${player.sessions}`;
    } else {
      type = pick(model.chain[player.state]);
    }
    yield { id: `e${seed}-${seq}`, player: player.id, persona: player.persona, session: player.session, type, ts: player.nextAt };
    player.state = type;
    const gapMs = type === 'logout' ? between(model.breakMinutes) * MINUTE_MS : between(dwellSeconds[type]) * 1000;
    player.nextAt += Math.max(1, Math.round(gapMs));
  }
}

/** The first `events` events of a simulation: the log a test or a replay starts from. */
export function simulate(options: SimulationOptions & { events: number }): TelemetryEvent[] {
  const log: TelemetryEvent[] = [];
  if (options.events <= 0) return log;
  for (const event of simulation(options)) {
    log.push(event);
    if (log.length === options.events) break;
  }
  return log;
}

/** Writes events to the topic in batches, keyed by player (a player's events stay in order in one partition). */
export async function publish(tributary: Tributary, topic: string, events: TelemetryEvent[]): Promise<void> {
  await tributary.write(
    topic,
    events.map((event) => ({ key: event.player, value: event, id: event.id })),
  );
}

if (isMain(import.meta.url)) {
  run('simulator', async () => {
    const { topic } = settingsFromEnv();
    const tributary = tributaryFromEnv();
    const seed = integer('SEED', 1, 0, 2 ** 32 - 1);
    const total = integer('EVENTS', 5_000, 0, Number.MAX_SAFE_INTEGER);
    const rate = integer('RATE', 50, 0, 1_000_000);
    const batchSize = integer('BATCH', 500, 1, 10_000);
    const logFile = text('LOG_FILE', '');
    await tributary.ensureTopic(topic, integer('PARTITIONS', 4, 1, 1_000));
    const started = Date.now();
    let sent = 0;
    let batch: TelemetryEvent[] = [];
    const flush = async () => {
      await publish(tributary, topic, batch);
      if (logFile) appendFileSync(logFile, batch.map((event) => `${JSON.stringify(event)}\n`).join(''));
      sent += batch.length;
      batch = [];
      process.stdout.write(`published ${sent} events\n`);
      // Paced by the wall clock at RATE; the events' own times stay on the simulated clock.
      if (rate > 0) await sleep(Math.max(0, started + (sent / rate) * 1000 - Date.now()));
    };
    for (const event of simulation({ seed, players: integer('PLAYERS', 50, 1, 100_000) })) {
      batch.push(event);
      if (batch.length >= (rate > 0 ? Math.min(batchSize, Math.max(1, Math.ceil(rate / 4))) : batchSize)) await flush();
      if (total > 0 && sent + batch.length >= total) break;
    }
    if (batch.length > 0) await flush();
  });
}
