// The game-event simulator: writes player_scored (70 %), player_joined (20 %) and achievement_unlocked (10 %)
// events to the topic at RATE events per second, each keyed by its player (so one player's events stay in
// order in one partition) and carrying its id as the record id (so a retried batch is stored once).
//
//   BROKER_URL TOPIC PARTITIONS RATE COUNT SEED PLAYERS RUN_ID
import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { integer, isMain, retrying, run, text, Tributary } from '@tributary/example-kit';
import { endpoints } from './env.js';
import { gameEvents, type GameEvent, type GeneratorOptions } from './events.js';

export interface SimulatorOptions extends GeneratorOptions {
  tributary: Tributary;
  topic: string;
  /** Events per second. */
  rate: number;
  /** Stop after this many events (Infinity: run until stopped). */
  count: number;
  log: (line: string) => void;
  stopped?: () => boolean;
}

/** Batches written per second at most: enough to look continuous on the page, few enough to be cheap. */
const TICKS_PER_SECOND = 10;

/** Writes events until `count` are written or `stopped()`; resolves with how many were written. */
export async function simulate(options: SimulatorOptions): Promise<number> {
  const { tributary, topic, rate, count, log, stopped = () => false } = options;
  const events = gameEvents(options);
  const started = Date.now();
  let written = 0;
  while (written < count && !stopped()) {
    // As many as are due by now: a slow write is caught up with by the next batch, not lost.
    const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    const batch: GameEvent[] = [];
    while (written + batch.length < due && batch.length < 10_000) batch.push(events.next().value as GameEvent);
    if (batch.length > 0) {
      const records = batch.map((event) => ({ key: event.player, value: event, id: event.id }));
      await retrying(() => tributary.write(topic, records), (err) => log(`write failed, retrying: ${(err as Error).message}`));
      written += batch.length;
    }
    if (written < count) await sleep(1000 / TICKS_PER_SECOND);
  }
  return written;
}

if (isMain(import.meta.url)) {
  run('simulator', async () => {
    const { brokerUrl, gatewayUrl, apiKey, topic } = endpoints();
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} simulator: ${line}\n`);
    const tributary = new Tributary(brokerUrl, gatewayUrl, apiKey);
    const count = process.env['COUNT'] ? integer('COUNT', 0, 0, Number.MAX_SAFE_INTEGER) : Infinity;
    const rate = integer('RATE', 20, 1, 100_000);
    const seed = integer('SEED', randomInt(2 ** 31), 0, 2 ** 32 - 1);
    const runId = text('RUN_ID', randomBytes(4).toString('hex'));
    await retrying(() => tributary.ensureTopic(topic, integer('PARTITIONS', 8, 1, 1024)), (err) => log(`waiting for the broker: ${(err as Error).message}`));
    let stop = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stop = true));
    log(`writing to ${topic} at ${rate}/s (seed ${seed}, run ${runId}${count === Infinity ? '' : `, ${count} events`})`);
    const written = await simulate({ tributary, topic, rate, count, seed, run: runId, players: integer('PLAYERS', 25, 1, 1_000_000), log, stopped: () => stop });
    log(`wrote ${written} events`);
  });
}
