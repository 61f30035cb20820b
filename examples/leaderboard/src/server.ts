// The leaderboard's HTTP side: three JSON routes over the processor's Redis keys, a server-sent-events stream
// that pushes a snapshot whenever an event is applied, and the live page. Errors are JSON in Tributary's
// shape: {statusCode, code, error, message, retriable}.
//
//   PORT (8000) HOST (127.0.0.1: loopback only, as Tributary's own services without AUTH) REDIS_URL KEY_PREFIX
import type { ServerResponse } from 'node:http';
import { ApiError, errorBody, integer, isMain, pageFiles, run, text } from '@tributary/example-kit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { endpoints } from './env.js';
import { PLAYER_ID_PATTERN } from './events.js';
import { LeaderboardStore } from './store.js';

const limitQuery = (name: string, fallback: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { [name]: { type: 'integer', minimum: 1, maximum: 100, default: fallback } },
  }) as const;
const playerParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: PLAYER_ID_PATTERN.source } },
} as const;

const assets = pageFiles(new URL('../public/', import.meta.url), ['index.html', 'app.js', 'leaderboard.css', 'favicon.svg']);

/** How often the stream looks for new events: one HGET per interval, however many pages are open. */
const POLL_MS = 250;
/** A comment line now and then keeps idle proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

export interface ServerOptions {
  store: LeaderboardStore;
  /** Rows of the leaderboard in each pushed snapshot. */
  snapshotTop?: number;
}

export async function createServer({ store, snapshotTop = 10 }: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send(errorBody(err.statusCode, err.code, err.message));
    if (err.validation) return reply.code(400).send(errorBody(400, 'INVALID_REQUEST', err.message));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody(err.statusCode, 'INVALID_REQUEST', err.message));
    }
    // Redis away or slow: say so and that trying again may work, not a bare 500.
    if (store.redis.status !== 'ready' || /timed out|Connection is closed|ECONNREFUSED/i.test(err.message)) {
      return reply.code(503).send(errorBody(503, 'REDIS_UNAVAILABLE', `Redis did not answer: ${err.message}`));
    }
    app.log.error(err);
    return reply.code(500).send(errorBody(500, 'INTERNAL_ERROR', 'unexpected error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  for (const [url, { type, body }] of Object.entries(assets)) {
    app.get(url, (_request, reply) => reply.type(type).send(body));
  }

  app.get<{ Querystring: { top: number } }>('/api/leaderboard', { schema: { querystring: limitQuery('top', 10) } }, async (request) => {
    const { top } = request.query;
    const [players, stats] = await Promise.all([store.leaderboard(top), store.stats()]);
    return { top, total_players: stats.players, players };
  });

  app.get<{ Params: { id: string } }>('/api/player/:id', { schema: { params: playerParams } }, async (request) => {
    const player = await store.player(request.params.id);
    if (player === undefined) throw new ApiError(404, 'PLAYER_NOT_FOUND', `no player "${request.params.id}": no event has named it`);
    return player;
  });

  app.get<{ Querystring: { limit: number } }>('/api/achievements', { schema: { querystring: limitQuery('limit', 20) } }, async (request) => {
    const [achievements, stats] = await Promise.all([store.achievements(request.query.limit), store.stats()]);
    return { limit: request.query.limit, total: stats.achievement_unlocked, achievements };
  });

  app.get('/api/stats', async () => store.stats());

  const snapshot = async () => {
    const [leaderboard, achievements, stats] = await Promise.all([store.leaderboard(snapshotTop), store.achievements(10), store.stats()]);
    return { leaderboard, achievements, stats };
  };
  /** Each open stream and the version of the last snapshot it was sent. */
  const streams = new Map<ServerResponse, number>();
  const send = (stream: ServerResponse, event: string, data: unknown) => stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  // One poller for every open stream: when the version moves, one snapshot is read and sent to the streams
  // that have not seen it.
  let polling = false;
  const poll = async () => {
    if (polling || streams.size === 0) return;
    polling = true;
    try {
      const version = await store.version();
      const behind = [...streams].filter(([, seen]) => seen !== version).map(([stream]) => stream);
      if (behind.length > 0) {
        const data = await snapshot();
        for (const stream of behind) {
          if (!streams.has(stream)) continue;
          streams.set(stream, version);
          send(stream, 'snapshot', data);
        }
      }
    } catch {
      // Redis away: the pages keep their last snapshot, and the next poll tries again.
    } finally {
      polling = false;
    }
  };
  const poller = setInterval(() => void poll(), POLL_MS);
  const keepalive = setInterval(() => {
    for (const stream of streams.keys()) stream.write(': keepalive\n\n');
  }, KEEPALIVE_MS);

  app.get('/api/stream', async (request, reply) => {
    // The version first: a change landing while the snapshot is read is sent again, never missed.
    const version = await store.version();
    const first = await snapshot();
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // A page that reconnects waits this long first.
    stream.write('retry: 1000\n\n');
    send(stream, 'snapshot', first);
    streams.set(stream, version);
    request.raw.once('close', () => streams.delete(stream));
  });

  // Open streams would hold close() up for ever: end them first.
  app.addHook('preClose', async () => {
    clearInterval(poller);
    clearInterval(keepalive);
    for (const stream of streams.keys()) stream.end();
    streams.clear();
  });
  return app;
}

if (isMain(import.meta.url)) {
  run('server', async () => {
    const { redisUrl, keyPrefix } = endpoints();
    const store = new LeaderboardStore(redisUrl, keyPrefix);
    await store.connect();
    const app = await createServer({ store });
    const port = integer('PORT', 8000, 0, 65_535);
    const address = await app.listen({ port, host: text('HOST', '127.0.0.1') });
    process.stdout.write(`leaderboard on ${address}\n`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void app.close().then(() => store.close()));
    }
  });
}
