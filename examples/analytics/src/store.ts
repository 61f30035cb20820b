// The live aggregates in Redis, every key under the example's prefix. A batch of events is applied by one
// Lua script, so each event is counted whole or not at all, and once: the script first claims the event's id
// (SET NX, remembered for DEDUP_TTL_S), and an event whose id is claimed already (a redelivery after a
// rebalance or a crash before a commit) changes nothing. Every update is order-independent (counters, sets,
// a session's first login and first logout), so partitions may be applied in any interleaving.
//
// Keys (<p> the prefix): <p>seen:<event id>  <p>events  <p>players (set)  <p>totals (type → count)
//   <p>epm:<type> (minute → count)  <p>session:<id> (player, start, end)  <p>open (sessions open)
//   <p>started  <p>completed  <p>length_ms  <p>lengths (bucket → count)  <p>funnel:<step> (sessions)  <p>last_ts
//
// The script builds key names from the prefix, so it needs one Redis server (not a Redis Cluster).
import { Redis } from 'ioredis';
import {
  actions,
  emptyByType,
  funnelSteps,
  lengthBucketsMinutes,
  perMinuteSeries,
  type Aggregates,
  type TelemetryEvent,
} from './events.js';

const applyScript = `
local p = ARGV[1]
local ttl = tonumber(ARGV[2])
local bounds = cjson.decode(ARGV[3])
local funnel = {}
for _, step in ipairs(cjson.decode(ARGV[4])) do funnel[step] = true end

local function complete(session)
  local start = tonumber(redis.call('HGET', session, 'start'))
  local stop = tonumber(redis.call('HGET', session, 'end'))
  local length = stop - start
  local bucket = #bounds
  for i, minutes in ipairs(bounds) do
    if length < minutes * 60000 then bucket = i - 1 break end
  end
  redis.call('INCR', p .. 'completed')
  redis.call('INCRBY', p .. 'length_ms', length)
  redis.call('HINCRBY', p .. 'lengths', bucket, 1)
end

local applied = 0
for i = 5, #ARGV do
  local e = cjson.decode(ARGV[i])
  if redis.call('SET', p .. 'seen:' .. e.id, '1', 'NX', 'EX', ttl) then
    applied = applied + 1
    local ts = e.ts
    redis.call('INCR', p .. 'events')
    redis.call('SADD', p .. 'players', e.player)
    redis.call('HINCRBY', p .. 'totals', e.type, 1)
    redis.call('HINCRBY', p .. 'epm:' .. e.type, string.format('%d', math.floor(ts / 60000)), 1)
    if funnel[e.type] then redis.call('SADD', p .. 'funnel:' .. e.type, e.session) end
    local session = p .. 'session:' .. e.session
    if e.type == 'login' then
      redis.call('HSETNX', session, 'player', e.player)
      if redis.call('HSETNX', session, 'start', string.format('%d', ts)) == 1 then
        redis.call('INCR', p .. 'started')
        if redis.call('HEXISTS', session, 'end') == 1 then complete(session) else redis.call('SADD', p .. 'open', e.session) end
      end
    elseif e.type == 'logout' then
      redis.call('HSETNX', session, 'player', e.player)
      if redis.call('HSETNX', session, 'end', string.format('%d', ts)) == 1 then
        if redis.call('HEXISTS', session, 'start') == 1 then
          redis.call('SREM', p .. 'open', e.session)
          complete(session)
        end
      end
    end
    local last = tonumber(redis.call('GET', p .. 'last_ts') or '-1')
    if ts > last then redis.call('SET', p .. 'last_ts', string.format('%d', ts)) end
  end
end
return applied
`;

export class AnalyticsStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long an applied event's id is remembered; a redelivery later than that would count again. */
    private readonly dedupTtlSeconds = 7 * 86_400,
  ) {}

  static connect(url: string, prefix: string, dedupTtlSeconds?: number): AnalyticsStore {
    return new AnalyticsStore(new Redis(url, { maxRetriesPerRequest: 2 }), prefix, dedupTtlSeconds);
  }

  /** Applies the events not applied before; answers how many were new. */
  async apply(events: TelemetryEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const args = [this.prefix, String(this.dedupTtlSeconds), JSON.stringify(lengthBucketsMinutes), JSON.stringify(funnelSteps)];
    // Events are checked by the caller (parseEvent); only the fields the script reads are sent.
    for (const { id, player, session, type, ts } of events) args.push(JSON.stringify({ id, player, session, type, ts }));
    return (await this.redis.eval(applyScript, 0, ...args)) as number;
  }

  async aggregates(): Promise<Aggregates> {
    const p = this.prefix;
    const read = this.redis.multi();
    read.get(`${p}events`).scard(`${p}players`).smembers(`${p}open`).get(`${p}started`).get(`${p}completed`).get(`${p}length_ms`);
    read.hgetall(`${p}lengths`).hgetall(`${p}totals`).get(`${p}last_ts`);
    for (const action of actions) read.hgetall(`${p}epm:${action}`);
    for (const step of funnelSteps) read.scard(`${p}funnel:${step}`);
    const replies = (await read.exec())!.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    const [events, players, open, started, completed, lengthMs, lengths, totals, lastTs] = replies as [
      string | null,
      number,
      string[],
      string | null,
      string | null,
      string | null,
      Record<string, string>,
      Record<string, string>,
      string | null,
    ];
    const epm = replies.slice(9, 9 + actions.length) as Array<Record<string, string>>;
    const funnel = replies.slice(9 + actions.length) as number[];

    // Active players: the distinct players of the open sessions (a handful: one per player online).
    const openPlayers = open.length === 0 ? [] : await this.redis.pipeline(open.map((session) => ['hget', `${p}session:${session}`, 'player'])).exec();
    const active = new Set(openPlayers?.map(([, player]) => player as string));

    const completedCount = Number(completed ?? 0);
    const totalLength = Number(lengthMs ?? 0);
    const counts = emptyByType(() => new Map<number, number>());
    actions.forEach((action, i) => {
      for (const [minute, count] of Object.entries(epm[i]!)) counts[action].set(Number(minute), Number(count));
    });
    return {
      events: Number(events ?? 0),
      players,
      active_players: active.size,
      sessions: {
        started: Number(started ?? 0),
        completed: completedCount,
        total_length_ms: totalLength,
        average_length_ms: completedCount === 0 ? null : Math.round(totalLength / completedCount),
        length_histogram: [...lengthBucketsMinutes, null].map((upto_minutes, i) => ({ upto_minutes, count: Number(lengths[i] ?? 0) })),
      },
      totals_by_type: Object.fromEntries(actions.map((action) => [action, Number(totals[action] ?? 0)])) as Aggregates['totals_by_type'],
      events_per_minute: perMinuteSeries(counts),
      funnel: funnelSteps.map((step, i) => ({ step, sessions: funnel[i]! })),
      last_event_at: lastTs === null ? null : Number(lastTs),
    };
  }

  close(): void {
    this.redis.disconnect();
  }
}
