// Three players follow different sets of games through the gateway's original subscribe/read API; each
// receives exactly the updates of the games they follow, in order per game, each once, and an unfollow stops
// a game's updates. Every wait is for something to arrive (waitFor), never a fixed time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, Tributary, TributaryError } from '@tributary/example-kit';
import { startStack, type RunningStack } from '@tributary/example-kit/testing';
import { uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { Player, type FeedItem } from '../src/player.js';
import { UpdatesProducer } from '../src/producer.js';
import { gameOf, gameSlug, topicOf, type GameUpdate, type UpdateKind } from '../src/updates.js';

let stack: RunningStack;
let tributary: Tributary;
let producer: UpdatesProducer;

beforeAll(async () => {
  stack = await startStack();
  tributary = new Tributary(stack.brokerUrl, stack.gatewayUrl);
  producer = new UpdatesProducer(tributary);
});
afterAll(async () => {
  await stack?.close();
});

const kinds: UpdateKind[] = ['patch', 'event', 'status'];

/** Publishes `rounds` updates to each game, the games taking turns, one write each; answers them by game. */
async function publishRounds(games: string[], rounds: number, label: string): Promise<Map<string, GameUpdate[]>> {
  const published = new Map<string, GameUpdate[]>(games.map((game) => [game, []]));
  for (let round = 0; round < rounds; round++) {
    for (const game of games) {
      const [update] = await producer.publish(game, [{ id: `${game}-${label}-${round}`, kind: kinds[round % 3]!, title: `${label} ${round}` }]);
      published.get(game)!.push(update!);
    }
  }
  return published;
}

/** Polls until `count` updates arrived; then one more read finds nothing (so none came twice or extra). */
async function receive(player: Player, count: number): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  await waitFor(
    async () => {
      items.push(...(await player.poll({ waitMs: 200, max: 7 })));
      return items.length >= count;
    },
    { what: `${count} updates for ${player.email}`, timeoutMs: 60_000 },
  );
  expect(await player.poll({ waitMs: 0 })).toEqual([]);
  return items;
}

function idsByGame(items: FeedItem[]): Record<string, string[]> {
  const byGame: Record<string, string[]> = {};
  for (const item of items) (byGame[item.game] ??= []).push(item.update.id);
  return byGame;
}

function expectedIds(published: Map<string, GameUpdate[]>, games: string[]): Record<string, string[]> {
  return Object.fromEntries(games.map((game) => [game, published.get(game)!.map((update) => update.id)]));
}

describe('game updates: a topic per game, players following games by email', () => {
  const [chess, kart, tactics, puzzle] = ['chess', 'kart', 'tactics', 'puzzle'].map((name) => uniqueName(name));
  const games = [chess!, kart!, tactics!, puzzle!];

  it('delivers each player exactly the updates of the games they follow, in order per game, each once; unfollow stops them', { timeout: 120_000 }, async () => {
    for (const game of games) {
      expect(await producer.addGame(game)).toBe(true);
      await stack.gatewayKnows(topicOf(game));
    }
    expect(await producer.addGame(chess!)).toBe(false); // already there: fine

    const follows: Array<[Player, string[]]> = [
      [new Player(tributary, uniqueEmail()), [chess!, kart!]],
      [new Player(tributary, uniqueEmail()), [kart!, tactics!, puzzle!]],
      [new Player(tributary, uniqueEmail()), [puzzle!]],
    ];
    for (const [player, followed] of follows) {
      for (const game of followed) expect(await player.follow(game)).toBe(true);
      expect(await player.following()).toEqual([...followed].sort());
    }

    // 12 updates per game, plus a batch of three to one game in one write.
    const published = await publishRounds(games, 12, 'first');
    published.get(kart!)!.push(...(await producer.publish(kart!, [1, 2, 3].map((n) => ({ id: `${kart}-batch-${n}`, kind: 'patch' as const, title: `batch ${n}` })))));

    for (const [player, followed] of follows) {
      const count = followed.reduce((sum, game) => sum + published.get(game)!.length, 0);
      const items = await receive(player, count);
      expect(items).toHaveLength(count);
      expect(idsByGame(items)).toEqual(expectedIds(published, followed));
      // The update arrives whole, as published.
      const first = items.find((item) => item.game === followed[0]);
      expect(first?.update).toEqual(published.get(followed[0]!)![0]);
    }

    // The second player unfollows kart; the games go on publishing.
    const [ann, bob] = [follows[0]![0], follows[1]![0]];
    await bob.unfollow(kart!);
    expect(await bob.following()).toEqual([tactics!, puzzle!].sort());
    const later = await publishRounds([kart!, tactics!], 3, 'later');

    const bobs = await receive(bob, 3);
    expect(idsByGame(bobs)).toEqual(expectedIds(later, [tactics!]));
    // Reading kart as bob is refused: the subscription and its offsets are gone.
    const refused = await tributary.readTopic(bob.email, topicOf(kart!), { max: 10, waitMs: 0 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TributaryError);
    expect((refused as TributaryError).code).toBe('NOT_SUBSCRIBED');
    // ann still follows kart and gets its new updates.
    expect(idsByGame(await receive(ann, 3))).toEqual(expectedIds(later, [kart!]));
  });

  it('watches followed games live, each with its own long poll, and stops on abort', { timeout: 60_000 }, async () => {
    const [quiet, busy] = [uniqueName('quiet'), uniqueName('busy')];
    for (const game of [quiet, busy]) {
      await producer.addGame(game);
      await stack.gatewayKnows(topicOf(game));
    }
    const player = new Player(tributary, uniqueEmail());
    await player.follow(quiet, 'latest');
    await player.follow(busy, 'latest');

    const seen: FeedItem[] = [];
    const controller = new AbortController();
    const watching = player.watch((items) => seen.push(...items), { waitMs: 30_000, refreshMs: 100, signal: controller.signal });
    // Published while the quiet game's read waits its full 30 s: the busy game's updates come through anyway.
    const published = await publishRounds([busy], 5, 'live');
    await waitFor(() => seen.length >= 5, { what: 'the live updates', timeoutMs: 20_000 });
    controller.abort();
    await watching;
    expect(idsByGame(seen)).toEqual(expectedIds(published, [busy]));
  });

  it('under load: 40 players following seeded sets of 10 games each get exactly their games’ 30 updates each', { timeout: 180_000 }, async () => {
    // A seeded choice of follows, so a failure can be replayed.
    const random = seededRandom(1234);
    const many = Array.from({ length: 10 }, (_, i) => uniqueName(`game${i}`));
    for (const game of many) await producer.addGame(game);
    for (const game of many) await stack.gatewayKnows(topicOf(game));
    const players = Array.from({ length: 40 }, () => {
      const followed = many.filter(() => random() < 0.3);
      return { player: new Player(tributary, uniqueEmail()), followed: followed.length > 0 ? followed : [many[0]!] };
    });
    for (const { player, followed } of players) for (const game of followed) await player.follow(game);

    // The games publish side by side, each in its own order; players read side by side too.
    const rounds = await Promise.all(many.map((game) => publishRounds([game], 30, 'load')));
    const published = new Map(rounds.flatMap((byGame) => [...byGame]));
    await Promise.all(
      players.map(async ({ player, followed }) => {
        const items = await receive(player, followed.length * 30);
        expect(items).toHaveLength(followed.length * 30);
        expect(idsByGame(items)).toEqual(expectedIds(published, followed));
      }),
    );
  });

  it('names games by slugs and topics game.<slug>', () => {
    expect(topicOf('space-race')).toBe('game.space-race');
    expect(gameOf('game.space-race')).toBe('space-race');
    expect(gameOf('orders')).toBeUndefined();
    expect(gameOf('game.Not_A_Slug')).toBeUndefined();
    expect(() => gameSlug('Chess')).toThrow(/slug/);
    expect(() => gameSlug('-chess')).toThrow(/slug/);
  });
});
