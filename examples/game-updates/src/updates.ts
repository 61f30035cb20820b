// What flows through the example: an update about one game, published to that game's own topic. A game is
// named by a slug (lowercase letters, digits, dashes); its topic is `game.<slug>`, so a player's
// subscriptions on the gateway say which games they follow, and nothing else needs to be stored.

export type UpdateKind = 'patch' | 'event' | 'status';
export const updateKinds: readonly UpdateKind[] = ['patch', 'event', 'status'];

export interface GameUpdate {
  /** Unique per update: also the record id, so a retried publish is stored once. */
  id: string;
  game: string;
  kind: UpdateKind;
  title: string;
  body: string;
  /** When the producer published it (ms since the epoch). */
  published_at: number;
}

export const topicPrefix = 'game.';
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** The slug, checked: it becomes part of a topic name. */
export function gameSlug(slug: string): string {
  if (!slugPattern.test(slug)) {
    throw new Error(`a game is named by a slug of lowercase letters, digits and inner dashes (at most 64), not ${JSON.stringify(slug)}`);
  }
  return slug;
}

export function topicOf(game: string): string {
  return topicPrefix + gameSlug(game);
}

/** The game a topic carries updates for, or undefined for a topic that is not a game's. */
export function gameOf(topic: string): string | undefined {
  if (!topic.startsWith(topicPrefix)) return undefined;
  const slug = topic.slice(topicPrefix.length);
  return slugPattern.test(slug) ? slug : undefined;
}

/** A record's value as an update, or undefined if it is not one (anyone may write to a topic). */
export function parseUpdate(value: unknown): GameUpdate | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const update = value as Partial<GameUpdate>;
  if (typeof update.id !== 'string' || typeof update.game !== 'string' || typeof update.title !== 'string') return undefined;
  if (!updateKinds.includes(update.kind as UpdateKind)) return undefined;
  return {
    id: update.id,
    game: update.game,
    kind: update.kind as UpdateKind,
    title: update.title,
    body: typeof update.body === 'string' ? update.body : '',
    published_at: typeof update.published_at === 'number' ? update.published_at : 0,
  };
}
