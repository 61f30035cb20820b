// What is under test, each in its own process: a throwaway redis-server and ZooKeeper (or the ones the
// environment names), the broker and the consumer gateway (their real entry points, as `npm start` runs them),
// and the peers measured beside it: the bare-Fastify baseline, a Fastify + XADD server (xadd-server.ts) on the
// same Redis, and NATS JetStream (Debian's nats-server -js, file storage in the run's temporary directory).
// Everything listens on free loopback ports and is stopped at the end.
//
// Redis runs with AOF and appendfsync everysec, as `npm start` runs it and as the README's durability
// statement assumes: a user's broker pays for the append-only file, so the benchmark does too (every write
// reaches the kernel before Redis answers; the fsync happens once a second in a background thread). The
// Redis baselines run against the same server, so ratios compare like with like. Automatic AOF rewrites are
// off for the run: starting from an empty server and writing ~2 GB in minutes, Redis forked and dumped its
// whole dataset 30 times in one full run (each a core busy on a 2-core machine), far more often than a
// broker at a steady size; that was noise in every figure, not a property of Tributary.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, startRedis, startZooKeeper, stopChild, type RunningServer } from '@tributary/local-stack';
import { waitReady } from './client.js';
import { cpuSecondsOf, memoryOf, treeCpuSecondsOf, treeMemoryOf, type MemorySample } from './machine.js';

type Env = Record<string, string | undefined>;
export type ServiceName = 'broker' | 'gateway' | 'baseline' | 'xadd';

/** A process the bench started and watches. */
export interface Watched {
  readonly pid: number | undefined;
  memory(): MemorySample | undefined;
  /** CPU seconds the process has used so far (Linux /proc), all threads. */
  cpuSeconds(): number | undefined;
}

export interface Service extends Watched {
  readonly name: ServiceName;
  readonly url: string;
}

export interface BenchStack {
  readonly broker: Service;
  readonly gateway: Service;
  readonly baseline: Service;
  /** The Fastify + one XADD per request peer, on the same Redis. */
  readonly xadd: Service;
  /** NATS JetStream (nats-server -js), or undefined when nats-server is not installed. */
  readonly nats: NatsServer | undefined;
  readonly redis: { host: string; port: number; version: string; persistence: string; external: boolean };
  readonly zookeeper: { host: string; external: boolean };
  /** A plain connection for the Redis baseline's housekeeping and INFO. */
  readonly redisClient: Redis;
  /** Redis' resident memory (INFO used_memory_rss), MB. */
  redisMemoryMb(): Promise<number>;
  /** CPU seconds Redis has used so far (INFO cpu, all its threads). */
  redisCpuSeconds(): Promise<number>;
  /** Script calls (EVALSHA and EVAL) Redis has run so far (INFO commandstats). */
  redisScriptCalls(): Promise<number>;
  stop(): Promise<void>;
}

export interface NatsServer extends Watched {
  /** host:port for the client's `servers`. */
  readonly servers: string;
  readonly version: string;
}

export interface StackOptions {
  env: Env;
  runId: string;
  /** Broker processes behind the broker's port (broker/src/processes.ts when more than 1). */
  brokers: number;
  /** Services to start with `node --cpu-prof`; profiles land in `profileDir` when they stop. */
  cpuProfile: ReadonlySet<ServiceName>;
  profileDir: string;
  say(line: string): void;
}

export async function startStack(options: StackOptions): Promise<BenchStack> {
  const { env, say } = options;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const servers: RunningServer[] = [];
  const children: ChildProcess[] = [];
  let redisClient: Redis | undefined;

  const stop = async () => {
    redisClient?.disconnect();
    // Services first (a profile is written as the process exits), then the servers they talk to.
    for (const child of children.reverse()) await stopChild(child, 15_000);
    for (const server of servers.reverse()) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const externalRedis = Boolean(env['REDIS_HOST']);
    const externalZooKeeper = Boolean(env['ZOOKEEPER_HOST']);
    const [redis, zookeeper] = await Promise.all([
      externalRedis
        ? { host: env['REDIS_HOST']!, port: Number(env['REDIS_PORT'] ?? 6379) }
        : startRedis({ dir: join(dir, 'redis'), persistent: true, appendfsync: 'everysec' }).then((server) => {
            servers.push(server);
            return server;
          }),
      externalZooKeeper
        ? { host: env['ZOOKEEPER_HOST']! }
        : startZooKeeper({ dir: join(dir, 'zookeeper') }).then((server) => {
            servers.push(server);
            return { host: `${server.host}:${server.port}` };
          }),
    ]);
    say(
      `redis ${externalRedis ? '(REDIS_HOST) ' : ''}at ${redis.host}:${redis.port}, ` +
        `zookeeper ${externalZooKeeper ? '(ZOOKEEPER_HOST) ' : ''}at ${zookeeper.host}`,
    );

    redisClient = new Redis({ host: redis.host, port: redis.port, password: env['REDIS_PASSWORD'], lazyConnect: true });
    await redisClient.connect();
    if (!externalRedis) await redisClient.config('SET', 'auto-aof-rewrite-percentage', '0');
    const info = await redisClient.info('server');
    const persistence = (await redisClient.config('GET', 'appendonly', 'appendfsync', 'auto-aof-rewrite-percentage')) as string[];
    const setting = (name: string) => persistence[persistence.indexOf(name) + 1];
    const aof =
      setting('appendonly') === 'yes'
        ? `AOF, appendfsync ${setting('appendfsync')}${setting('auto-aof-rewrite-percentage') === '0' ? ', automatic AOF rewrite off' : ''}`
        : 'no AOF';

    const [brokerPort, gatewayPort, baselinePort, xaddPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const serviceEnv: Env = {
      ...env,
      REDIS_HOST: redis.host,
      REDIS_PORT: String(redis.port),
      ZOOKEEPER_HOST: zookeeper.host,
      // A root of its own: a shared ZooKeeper keeps other clusters' topics apart from the benchmark's.
      ZOOKEEPER_ROOT: `/tributary-bench-${options.runId}`,
      BROKER_PORT: String(brokerPort),
      GATEWAY_PORT: String(gatewayPort),
      LISTEN_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const launch = (name: ServiceName, script: string, args: string[], port: number, tree = false): Service => {
      const flags = options.cpuProfile.has(name)
        ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}-${options.runId}.cpuprofile`]
        : [];
      if (flags.length > 0) mkdirSync(options.profileDir, { recursive: true });
      const child = spawn(process.execPath, [...flags, script, ...args], { env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream! }).on('line', (line) => say(`[${name}] ${line}`));
      }
      children.push(child);
      return {
        name,
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        memory: () => (tree ? treeMemoryOf : memoryOf)(child.pid),
        cpuSeconds: () => (tree ? treeCpuSecondsOf : cpuSecondsOf)(child.pid),
      };
    };

    const broker =
      options.brokers > 1
        ? launch('broker', entryPoint('@tributary/broker/processes'), [String(options.brokers)], brokerPort, true)
        : launch('broker', entryPoint('@tributary/broker/server'), [], brokerPort);
    const gateway = launch('gateway', entryPoint('@tributary/consumer-gateway/server'), [], gatewayPort);
    const baseline = launch('baseline', fileURLToPath(new URL('./baseline-server.js', import.meta.url)), [String(baselinePort)], baselinePort);
    const xadd = launch('xadd', fileURLToPath(new URL('./xadd-server.js', import.meta.url)), [String(xaddPort), redis.host, String(redis.port)], xaddPort);
    const alive = (i: number) => () => children[i]!.exitCode === null;
    await Promise.all([broker, gateway, baseline, xadd].map((service, i) => waitReady(service.url, 30_000, alive(i))));
    const nats = await startNats(join(dir, 'nats'), children, say);
    if (options.brokers > 1) await waitRegistered(broker.url, options.brokers);

    const client = redisClient;
    return {
      broker,
      gateway,
      baseline,
      xadd,
      nats,
      redis: {
        host: redis.host,
        port: redis.port,
        version: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
        persistence: aof,
        external: externalRedis,
      },
      zookeeper: { host: zookeeper.host, external: externalZooKeeper },
      redisClient: client,
      async redisMemoryMb() {
        const memory = await client.info('memory');
        return Math.round(Number(/used_memory_rss:(\d+)/.exec(memory)?.[1] ?? Number.NaN) / 2 ** 20 * 10) / 10;
      },
      async redisCpuSeconds() {
        const cpu = await client.info('cpu');
        const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? Number.NaN);
        return field('used_cpu_sys') + field('used_cpu_user');
      },
      async redisScriptCalls() {
        const stats = await client.info('commandstats');
        return ['evalsha', 'eval'].reduce((n, command) => n + Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0), 0);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * nats-server with JetStream and file storage under `dir`, as Debian ships it (no tuning), or undefined when
 * it is not installed (`npm run bench` installs it on Debian: scripts/bootstrap.mjs).
 */
async function startNats(dir: string, children: ChildProcess[], say: (line: string) => void): Promise<NatsServer | undefined> {
  const version = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined) {
    say('nats-server is not installed (Debian package nats-server): NATS JetStream is not measured');
    return undefined;
  }
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (/\[(ERR|FTL|WRN)\]/.test(line)) say(`[nats] ${line}`);
  });
  children.push(child);
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server did not start on port ${port}`);
    await sleep(100);
  }
  return {
    servers: `127.0.0.1:${port}`,
    version: version.stdout.trim().replace(/^nats-server:\s*/, ''),
    pid: child.pid,
    memory: () => memoryOf(child.pid),
    cpuSeconds: () => cpuSecondsOf(child.pid),
  };
}

/** Until every broker process is listening: each registers itself once it listens. */
async function waitRegistered(url: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const cluster = (await (await fetch(`${url}/cluster`)).json()) as { brokers: Array<{ alive: boolean }> };
    if (cluster.brokers.filter((b) => b.alive).length >= count) return;
    if (Date.now() > deadline) throw new Error(`${count} broker processes did not all register within 30 s`);
    await sleep(100);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function entryPoint(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

