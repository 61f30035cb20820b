// The players' side: a player is an email, and the games they follow are their subscriptions on the consumer
// gateway (one per game topic), so following, unfollowing and "what do I follow" are all the gateway's
// original subscribe/read API and no list is kept anywhere else. The feed reads each followed game's topic
// with a long poll; reads commit as they answer (the gateway's auto-commit), so each update is shown once.
//
//   node dist/player.js follow <email> <game> [--from latest]
//   node dist/player.js unfollow <email> <game>
//   node dist/player.js following <email>
//   node dist/player.js feed <email> [--follow]        once, or on and on until Ctrl-C
//
//   BROKER_URL GATEWAY_URL TRIBUTARY_API_KEY WAIT_MS
import { setTimeout as sleep } from 'node:timers/promises';
import { integer, isMain, run, TributaryError, tributaryFromEnv, type Tributary } from '@tributary/example-kit';
import { gameOf, parseUpdate, topicOf, type GameUpdate } from './updates.js';

export interface FeedItem {
  game: string;
  /** The update's offset in its game's topic: a game's items come in offset order. */
  offset: number;
  update: GameUpdate;
}

export interface PollOptions {
  /** Updates per game per read (1–10000). */
  max?: number;
  /** How long each game's read waits for an update when there is none (0–30000). */
  waitMs?: number;
  signal?: AbortSignal;
}

export class Player {
  constructor(
    private readonly tributary: Tributary,
    readonly email: string,
  ) {}

  /** From `earliest`, a new follower catches up on what the game's topic still holds; `latest`, only news. */
  async follow(game: string, from: 'earliest' | 'latest' = 'earliest'): Promise<boolean> {
    const { created } = await this.tributary.subscribe(this.email, topicOf(game), from);
    return created;
  }

  /** Drops the subscription and its offsets: following again later starts over from `from`. */
  async unfollow(game: string): Promise<void> {
    await this.tributary.unsubscribe(this.email, topicOf(game));
  }

  async following(): Promise<string[]> {
    const subscriptions = await this.tributary.subscriptions(this.email);
    return subscriptions.map((subscription) => gameOf(subscription.topic)).filter((game) => game !== undefined).sort();
  }

  /** One read of every followed game, side by side; resolves when all have answered. */
  async poll(options: PollOptions = {}): Promise<FeedItem[]> {
    const games = await this.following();
    const reads = await Promise.all(games.map((game) => this.readGame(game, options)));
    return reads.flatMap((items) => items ?? []);
  }

  /**
   * Reads every followed game with a long poll of its own, so a quiet game never holds a busy one's updates
   * back, and hands what arrives to `onItems` until `signal` aborts. Follows and unfollows made elsewhere are
   * picked up every `refreshMs`.
   */
  async watch(onItems: (items: FeedItem[]) => void, options: PollOptions & { refreshMs?: number; signal: AbortSignal }): Promise<void> {
    const { signal } = options;
    const loops = new Map<string, Promise<void>>();
    const readLoop = async (game: string) => {
      try {
        while (!signal.aborted) {
          const items = await this.readGame(game, options);
          if (items === undefined) return;
          if (items.length > 0) onItems(items);
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      } finally {
        loops.delete(game);
      }
    };
    while (!signal.aborted) {
      for (const game of await this.following()) {
        if (!loops.has(game)) loops.set(game, readLoop(game));
      }
      await sleep(options.refreshMs ?? 5_000, undefined, { signal }).catch(() => undefined);
    }
    await Promise.all(loops.values());
  }

  /** The game's next updates, or undefined if the player no longer follows it. */
  private async readGame(game: string, options: PollOptions): Promise<FeedItem[] | undefined> {
    try {
      const read = await this.tributary.readTopic(this.email, topicOf(game), {
        max: options.max ?? 100,
        waitMs: options.waitMs ?? 0,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const items: FeedItem[] = [];
      for (const message of read.messages) {
        const update = parseUpdate(message.value);
        // A record that is not an update (someone wrote by hand) is passed over, as a reader of news would.
        if (update !== undefined) items.push({ game, offset: message.offset, update });
      }
      return items.sort((a, b) => a.offset - b.offset);
    } catch (err) {
      // Unfollowed meanwhile (here or elsewhere), or the game's topic was deleted: nothing more to read.
      if (err instanceof TributaryError && (err.code === 'NOT_SUBSCRIBED' || err.code === 'TOPIC_NOT_FOUND')) return undefined;
      throw err;
    }
  }
}

function print(items: FeedItem[]): void {
  for (const { game, update } of items) {
    const when = new Date(update.published_at).toISOString();
    process.stdout.write(`${when}  ${game}  [${update.kind}] ${update.title}${update.body ? ` — ${update.body}` : ''}\n`);
  }
}

const usage = 'usage: player.js follow <email> <game> [--from earliest|latest] | unfollow <email> <game> | following <email> | feed <email> [--follow]';

if (isMain(import.meta.url)) {
  run('player', async () => {
    const [command, email, ...rest] = process.argv.slice(2);
    if (command === undefined || email === undefined) throw new Error(usage);
    const player = new Player(tributaryFromEnv(), email);
    const waitMs = integer('WAIT_MS', 10_000, 0, 30_000);
    const game = rest[0];
    switch (command) {
      case 'follow': {
        if (game === undefined) throw new Error(usage);
        const from = rest[1] === '--from' ? rest[2] : 'earliest';
        if (from !== 'earliest' && from !== 'latest') throw new Error(usage);
        const created = await player.follow(game, from);
        process.stdout.write(created ? `${email} now follows ${game}\n` : `${email} already follows ${game}\n`);
        return;
      }
      case 'unfollow':
        if (game === undefined) throw new Error(usage);
        await player.unfollow(game);
        process.stdout.write(`${email} no longer follows ${game}\n`);
        return;
      case 'following': {
        const games = await player.following();
        process.stdout.write(games.length === 0 ? `${email} follows no games\n` : games.map((name) => `${name}\n`).join(''));
        return;
      }
      case 'feed': {
        if (rest[0] !== '--follow') {
          print(await player.poll({ waitMs: 0 }));
          return;
        }
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        await player.watch(print, { waitMs, signal: controller.signal });
        return;
      }
      default:
        throw new Error(usage);
    }
  });
}
