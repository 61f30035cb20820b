// The games' side: each game gets a topic of its own (game.<slug>, one partition, so a game's updates keep
// the order they were published in) and publishes its patch notes, events and status changes there, each
// with an id that makes a retried publish safe.
//
//   node dist/producer.js                                  a demo: GAMES take turns publishing every INTERVAL_MS
//   node dist/producer.js publish <game> <kind> <title> [body]
//
//   BROKER_URL GATEWAY_URL TRIBUTARY_API_KEY GAMES INTERVAL_MS COUNT
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { integer, isMain, run, text, tributaryFromEnv, type Tributary } from '@tributary/example-kit';
import { gameSlug, topicOf, updateKinds, type GameUpdate, type UpdateKind } from './updates.js';

export interface UpdateDraft {
  kind: UpdateKind;
  title: string;
  body?: string;
  /** Defaults to a random UUID; give one to make a publish you may retry (after a crash, say) idempotent. */
  id?: string;
}

export class UpdatesProducer {
  constructor(
    private readonly tributary: Tributary,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the game's topic unless it exists; true if it was created. */
  async addGame(game: string): Promise<boolean> {
    return this.tributary.ensureTopic(topicOf(game), 1);
  }

  /** Publishes the drafts to the game's topic in one write, in order; answers the updates as published. */
  async publish(game: string, drafts: UpdateDraft[]): Promise<GameUpdate[]> {
    const published_at = this.now();
    const updates = drafts.map(
      (draft): GameUpdate => ({
        id: draft.id ?? randomUUID(),
        game: gameSlug(game),
        kind: draft.kind,
        title: draft.title,
        body: draft.body ?? '',
        published_at,
      }),
    );
    await this.tributary.write(
      topicOf(game),
      updates.map((update) => ({ key: update.game, value: update, id: update.id })),
    );
    return updates;
  }
}

const demoTitles: Record<UpdateKind, string[]> = {
  patch: ['Balance changes', 'Bug fixes', 'New map in rotation', 'Netcode improvements'],
  event: ['Weekend tournament', 'Double XP hour', 'Community challenge', 'Seasonal event starts'],
  status: ['Servers up', 'Maintenance in 30 minutes', 'Matchmaking degraded', 'All systems normal'],
};

async function demo(producer: UpdatesProducer, games: string[], intervalMs: number, count: number): Promise<void> {
  for (const game of games) {
    if (await producer.addGame(game)) process.stdout.write(`created topic ${topicOf(game)}\n`);
  }
  for (let n = 0; count === 0 || n < count; n++) {
    const game = games[n % games.length]!;
    const kind = updateKinds[Math.floor(Math.random() * updateKinds.length)]!;
    const titles = demoTitles[kind];
    const [update] = await producer.publish(game, [{ kind, title: titles[Math.floor(Math.random() * titles.length)]! }]);
    process.stdout.write(`${game}: [${kind}] ${update!.title}\n`);
    await sleep(intervalMs);
  }
}

if (isMain(import.meta.url)) {
  run('producer', async () => {
    const producer = new UpdatesProducer(tributaryFromEnv());
    const [command, game, kind, title, body] = process.argv.slice(2);
    if (command === undefined) {
      const games = text('GAMES', 'chess,kart,tactics').split(',').map((slug) => gameSlug(slug.trim()));
      await demo(producer, games, integer('INTERVAL_MS', 2_000, 0, 3_600_000), integer('COUNT', 0, 0, 1_000_000_000));
      return;
    }
    if (command !== 'publish' || game === undefined || title === undefined || !updateKinds.includes(kind as UpdateKind)) {
      throw new Error(`usage: producer.js [publish <game> <${updateKinds.join('|')}> <title> [body]]`);
    }
    await producer.addGame(game);
    const [update] = await producer.publish(game, [{ kind: kind as UpdateKind, title, ...(body === undefined ? {} : { body }) }]);
    process.stdout.write(`${JSON.stringify(update)}\n`);
  });
}
