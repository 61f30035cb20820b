// The leaderboard's state in Redis, under one key prefix:
//
//   <prefix>scores                     sorted set: player → score
//   <prefix>player:<id>                hash: name, joins, scored, achievements, events, joined_at, last_event_at
//   <prefix>player:<id>:achievements   list: the player's latest 50 achievements, newest first (JSON)
//   <prefix>achievements               list: everyone's latest 1,000 achievements, newest first (JSON)
//   <prefix>stats                      hash: events, one count per type, duplicates, invalid, version
//   <prefix>processors                 hash: processor name → events it applied
//   <prefix>seen:<event id>            string with an expiry: the event was applied
//
// An event is applied by one Lua script that first claims its seen:<id> key (SET NX EX): a delivery of an
// event already applied (at-least-once: a processor killed after applying and before committing) changes
// nothing but the duplicates count. Claim and apply are one script, so they happen together or not at all.
import { Redis, type Result } from 'ioredis';
import type { GameEvent } from './events.js';

const APPLY = `
local seen, scores, player, stats, recent, playerRecent, processors = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local ttl, processor, kind, id, ts, arg = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if not redis.call('SET', seen, '1', 'NX', 'EX', ttl) then
  redis.call('HINCRBY', stats, 'duplicates', 1)
  return 0
end
if kind == 'invalid' then
  redis.call('HINCRBY', stats, 'invalid', 1)
  return 1
end
local who = ARGV[7]
if kind == 'player_scored' then
  redis.call('ZINCRBY', scores, arg, who)
  redis.call('HINCRBY', player, 'scored', 1)
elseif kind == 'player_joined' then
  redis.call('ZADD', scores, 'NX', 0, who)
  redis.call('HSET', player, 'name', arg)
  redis.call('HSETNX', player, 'joined_at', ts)
  redis.call('HINCRBY', player, 'joins', 1)
else
  local entry = cjson.encode({ id = id, player = who, achievement = arg, ts = tonumber(ts) })
  redis.call('ZADD', scores, 'NX', 0, who)
  redis.call('HINCRBY', player, 'achievements', 1)
  redis.call('LPUSH', recent, entry)
  redis.call('LTRIM', recent, 0, 999)
  redis.call('LPUSH', playerRecent, entry)
  redis.call('LTRIM', playerRecent, 0, 49)
end
redis.call('HINCRBY', player, 'events', 1)
redis.call('HSET', player, 'last_event_at', ts)
redis.call('HINCRBY', stats, 'events', 1)
redis.call('HINCRBY', stats, kind, 1)
redis.call('HINCRBY', stats, 'version', 1)
redis.call('HINCRBY', processors, processor, 1)
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    leaderboardApply(...args: Array<string | number>): Result<number, Context>;
  }
}

/** What the processor applies: an event, or a record that is not one (counted once, by its position). */
export type Delivery = { event: GameEvent } | { invalid: string; position: string };

export interface Standing {
  rank: number;
  player: string;
  name: string;
  score: number;
  events: number;
}

export interface Achievement {
  id: string;
  player: string;
  achievement: string;
  ts: number;
}

export interface PlayerView extends Standing {
  joins: number;
  scored: number;
  achievements: number;
  joined_at: number | null;
  last_event_at: number | null;
  recent_achievements: Achievement[];
}

export interface Stats {
  players: number;
  events: number;
  player_scored: number;
  player_joined: number;
  achievement_unlocked: number;
  duplicates: number;
  invalid: number;
  version: number;
  processors: Record<string, number>;
}

export class LeaderboardStore {
  readonly redis: Redis;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    // A bounded wait per command: the server answers 503 while Redis is away instead of hanging.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, commandTimeout: 5_000, lazyConnect: true });
    this.redis.defineCommand('leaderboardApply', { numberOfKeys: 7, lua: APPLY });
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  close(): void {
    this.redis.disconnect();
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * Applies a batch, each delivery atomically and at most once per id within `dedupTtlSeconds`; resolves with
   * how many were new. Pipelined: one round trip for the batch.
   */
  async apply(deliveries: Delivery[], processor: string, dedupTtlSeconds: number): Promise<number> {
    if (deliveries.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const delivery of deliveries) {
      if ('invalid' in delivery) {
        pipeline.leaderboardApply(
          ...this.keysOf(`record:${delivery.position}`, '-'),
          dedupTtlSeconds, processor, 'invalid', delivery.position, Date.now(), '', '-',
        );
        continue;
      }
      const { event } = delivery;
      const arg = event.type === 'player_scored' ? event.points : event.type === 'player_joined' ? event.name : event.achievement;
      pipeline.leaderboardApply(...this.keysOf(`event:${event.id}`, event.player), dedupTtlSeconds, processor, event.type, event.id, event.ts, arg, event.player);
    }
    const results = (await pipeline.exec()) ?? [];
    let applied = 0;
    for (const [err, result] of results) {
      if (err) throw err;
      applied += Number(result);
    }
    return applied;
  }

  private keysOf(seen: string, player: string): string[] {
    return [
      this.key(`seen:${seen}`),
      this.key('scores'),
      this.key(`player:${player}`),
      this.key('stats'),
      this.key('achievements'),
      this.key(`player:${player}:achievements`),
      this.key('processors'),
    ];
  }

  async leaderboard(top: number): Promise<Standing[]> {
    const flat = await this.redis.zrevrange(this.key('scores'), 0, top - 1, 'WITHSCORES');
    const pipeline = this.redis.pipeline();
    for (let i = 0; i < flat.length; i += 2) pipeline.hmget(this.key(`player:${flat[i]}`), 'name', 'events');
    const details = (await pipeline.exec()) ?? [];
    const standings: Standing[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const [err, fields] = details[i / 2]!;
      if (err) throw err;
      const [name, events] = fields as Array<string | null>;
      const player = flat[i]!;
      standings.push({ rank: i / 2 + 1, player, name: name ?? player, score: Number(flat[i + 1]), events: Number(events ?? 0) });
    }
    return standings;
  }

  /** A player's standing and counts, or undefined for a player no event has named. */
  async player(player: string): Promise<PlayerView | undefined> {
    const [hash, score, rank, recent] = replies(await this.redis
      .multi()
      .hgetall(this.key(`player:${player}`))
      .zscore(this.key('scores'), player)
      .zrevrank(this.key('scores'), player)
      .lrange(this.key(`player:${player}:achievements`), 0, 19)
      .exec());
    const fields = hash as Record<string, string>;
    if (score === null && Object.keys(fields).length === 0) return undefined;
    const count = (field: string) => Number(fields[field] ?? 0);
    const time = (field: string) => (fields[field] === undefined ? null : Number(fields[field]));
    return {
      rank: rank === null ? 0 : Number(rank) + 1,
      player,
      name: fields['name'] ?? player,
      score: Number(score ?? 0),
      events: count('events'),
      joins: count('joins'),
      scored: count('scored'),
      achievements: count('achievements'),
      joined_at: time('joined_at'),
      last_event_at: time('last_event_at'),
      recent_achievements: (recent as string[]).map((entry) => JSON.parse(entry) as Achievement),
    };
  }

  async achievements(limit: number): Promise<Achievement[]> {
    const entries = await this.redis.lrange(this.key('achievements'), 0, limit - 1);
    return entries.map((entry) => JSON.parse(entry) as Achievement);
  }

  async stats(): Promise<Stats> {
    const [stats, processors, players] = replies(await this.redis
      .multi()
      .hgetall(this.key('stats'))
      .hgetall(this.key('processors'))
      .zcard(this.key('scores'))
      .exec());
    const fields = stats as Record<string, string>;
    const count = (field: string) => Number(fields[field] ?? 0);
    return {
      players: Number(players),
      events: count('events'),
      player_scored: count('player_scored'),
      player_joined: count('player_joined'),
      achievement_unlocked: count('achievement_unlocked'),
      duplicates: count('duplicates'),
      invalid: count('invalid'),
      version: count('version'),
      processors: Object.fromEntries(Object.entries(processors as Record<string, string>).map(([name, applied]) => [name, Number(applied)])),
    };
  }

  /** Changes whenever an event is applied: the server pushes a new snapshot when it moves. */
  async version(): Promise<number> {
    return Number((await this.redis.hget(this.key('stats'), 'version')) ?? 0);
  }
}

/** A MULTI's replies, or its first error. */
function replies(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (results === null) throw new Error('the transaction was aborted');
  return results.map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
}
