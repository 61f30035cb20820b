// The dashboard: a Fastify server with the aggregates as JSON and a page that charts them (uPlot, as the web
// console does, and plain SVG), refreshed every two seconds. It reads Redis and asks the gateway for the
// group's lag; it never writes.
//
//   node dist/server.js      PORT (8501) HOST REDIS_URL KEY_PREFIX TOPIC GROUP BROKER_URL GATEWAY_URL TRIBUTARY_API_KEY
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { integer, isMain, pageFiles, run, text, TributaryError, tributaryFromEnv, type PageFile, type Tributary } from '@tributary/example-kit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { settingsFromEnv } from './env.js';
import { AnalyticsStore } from './store.js';

export interface ServerOptions {
  store: AnalyticsStore;
  tributary: Tributary;
  topic: string;
  group: string;
}

const errorBody = (statusCode: number, code: string, message: string) => ({
  statusCode,
  code,
  error: statusCode === 404 ? 'Not Found' : statusCode === 400 ? 'Bad Request' : statusCode >= 500 ? 'Service Unavailable' : 'Error',
  message,
});

const uplotFile = (name: string) => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${name}`));

/** The page and what it loads, read once: a few KB and uPlot's ~50. */
function assets(): Record<string, PageFile> {
  return {
    ...pageFiles(new URL('../public/', import.meta.url), ['index.html', 'dashboard.js', 'analytics.css', 'favicon.svg']),
    '/vendor/uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', body: uplotFile('uPlot.iife.min.js') },
    '/vendor/uPlot.min.css': { type: 'text/css; charset=utf-8', body: uplotFile('uPlot.min.css') },
  };
}

export function createServer({ store, tributary, topic, group }: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.code ?? 'INVALID_REQUEST', err.message));
    }
    // Redis or Tributary away or slow: say so, and that trying again may work.
    return reply.code(503).send(errorBody(503, 'UNAVAILABLE', err.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  for (const [url, { type, body }] of Object.entries(assets())) {
    app.get(url, (_request, reply) => reply.type(type).send(body));
  }

  app.get('/api/aggregates', async () => store.aggregates());

  // Where the group stands: lag 0 means every event written so far is in the aggregates.
  app.get('/api/group', async () => {
    try {
      const { lag, partitions } = await tributary.describeGroup(group);
      return { topic, group, lag, partitions: partitions.filter((partition) => partition.topic === topic) };
    } catch (err) {
      // No member has joined yet: the group does not exist, nothing is consumed.
      if (err instanceof TributaryError && err.code === 'GROUP_NOT_FOUND') return { topic, group, lag: null, partitions: [] };
      throw err;
    }
  });

  return app;
}

if (isMain(import.meta.url)) {
  run('server', async () => {
    const settings = settingsFromEnv();
    const store = AnalyticsStore.connect(settings.redisUrl, settings.keyPrefix);
    const app = createServer({ store, tributary: tributaryFromEnv(), topic: settings.topic, group: settings.group });
    const address = await app.listen({ port: integer('PORT', 8501, 0, 65_535), host: text('HOST', '127.0.0.1') });
    process.stdout.write(`dashboard at ${address}\n`);
    const close = () => void app.close().then(() => store.close());
    process.once('SIGINT', close);
    process.once('SIGTERM', close);
  });
}
