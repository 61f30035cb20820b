// Several broker processes behind one port, on one machine: `node processes.js <N>` forks N workers with
// node:cluster, each a whole broker (server.ts: its own Redis and ZooKeeper connections, its own registration
// in /cluster), and hands each new connection to the next worker in turn. Brokers keep no state between
// requests, so N processes are N brokers that happen to share a port: a machine with more cores than one
// broker can use gets more writes per second without a load balancer in front. `tributary up --brokers N`
// runs this instead of server.ts.
//
// The primary only forwards connections and signals: SIGTERM or SIGINT stops every worker the way a single
// broker stops (server.ts), and the primary exits once they have, with 1 if any failed. A worker that dies on
// its own takes the others down with it, as a crashed single broker would be down. Each process makes its
// own instance id, so INSTANCE_ID must be left unset (two processes with one id cannot both register).
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';

const count = Number(process.argv[2] ?? '');
if (!Number.isInteger(count) || count < 1 || count > 64) {
  console.error('usage: node processes.js <number of broker processes, 1-64>');
  process.exit(2);
}

cluster.setupPrimary({ exec: fileURLToPath(new URL('./server.js', import.meta.url)), args: [] });
const workers: Worker[] = Array.from({ length: count }, () => cluster.fork());
let stopping = false;
let failed = false;

const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  for (const worker of workers) if (!worker.isDead()) worker.process.kill(signal);
};

cluster.on('exit', (worker, code, signal) => {
  if (code !== 0 || signal !== null) failed = true;
  if (!stopping) {
    console.error(`broker process ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the others`);
    stop('SIGTERM');
  }
  if (workers.every((w) => w.isDead())) process.exit(failed ? 1 : 0);
});
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
