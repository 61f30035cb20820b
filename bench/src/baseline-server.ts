// The single-record write baseline: a bare Fastify route, same Fastify version as the broker, that parses the
// same JSON body with Fastify's own JSON parser and answers a constant JSON of the broker's answer shape.
// No validation, no Redis, no logging: the ceiling of "HTTP + JSON in Node" on this machine, which the broker
// cannot beat. Its own process, started like the services:  node baseline-server.js <port>
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false });
const answer = { topic: 'bench', partition: 0, offset: 0, timestamp: 0 };

app.post('/write/:topic', async () => answer);
app.get('/readyz', async () => ({ status: 'ready' }));

await app.listen({ port, host: '127.0.0.1' });
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
