// A peer for the single-record write: what a Node developer would write instead of Tributary — Fastify, ioredis
// and one `XADD` per request on a Redis Stream per topic, answering the entry id. Same Fastify and ioredis
// versions as the broker, the same Redis server (AOF everysec), a body schema of the same strictness for one
// record, default logging off. No partitions, no idempotency, no size limits: the floor of "a durable append
// to Redis behind HTTP in Node". Its own process, started by the bench stack:  node xadd-server.js <port> <redis host> <redis port>
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const port = Number(process.argv[2] ?? 0);
const redis = new Redis({ host: process.argv[3] ?? '127.0.0.1', port: Number(process.argv[4] ?? 6379), password: process.env['REDIS_PASSWORD'] });
const app = Fastify({ logger: false });

interface Body {
  key: string;
  value: unknown;
}

app.post<{ Params: { topic: string }; Body: Body }>(
  '/write/:topic',
  {
    schema: {
      body: {
        type: 'object',
        required: ['key', 'value'],
        additionalProperties: false,
        properties: { key: { type: 'string', maxLength: 1024 }, value: {} },
      },
      response: { 200: { type: 'object', properties: { topic: { type: 'string' }, id: { type: 'string' } } } },
    },
  },
  async (request) => {
    const { key, value } = request.body;
    const id = await redis.xadd(`trib-bench:xadd:${request.params.topic}`, '*', 'key', key, 'value', JSON.stringify(value));
    return { topic: request.params.topic, id };
  },
);
app.get('/readyz', async () => ({ status: 'ready' }));

await app.listen({ port, host: '127.0.0.1' });
const stop = () => void app.close().then(() => {
  redis.disconnect();
  process.exit(0);
});
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
