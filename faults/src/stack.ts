// What a scenario runs against, every part a real process on a free loopback port that the suite can crash
// (SIGKILL), freeze (SIGSTOP), stop (SIGTERM) and start again on the same port and data: Redis with AOF and
// appendfsync always (or a Redis Cluster of 3 masters with a replica each, all appendfsync always),
// ZooKeeper, two brokers and a gateway (their real entry points, as `npm start` runs them).
//
// Each scenario gets a stack of its own: a fault can leave nothing behind for the next one.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '@tributary/core';
import {
  freePort,
  startRedis,
  startRedisCluster,
  startZooKeeper,
  type RedisCluster,
  type RunningServer,
} from '@tributary/local-stack';
import { call } from './http.js';

/** A server the suite can signal and bring back on the same port and data. */
export interface Restartable {
  readonly name: string;
  readonly pid: number | undefined;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, resolving once the process is gone. */
  crash(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export type RedisUnderTest =
  | { kind: 'single'; server: Restartable; host: string; port: number }
  | { kind: 'cluster'; cluster: RedisCluster };

export interface StackOptions {
  redis: 'single' | 'cluster';
  /** Settings the scenario gives the services on top of the stack's (e.g. a short ZooKeeper session). */
  serviceEnv: Readonly<Record<string, string>>;
  /** Data and logs of every process. */
  dir: string;
}

export interface FaultStack {
  readonly redis: RedisUnderTest;
  readonly zookeeper: Restartable;
  readonly brokers: readonly ServiceProcess[];
  readonly gateway: ServiceProcess;
  /** Services that exited without the suite stopping them, with how. */
  readonly unexpectedExits: string[];
  /** Waits until every service's /readyz answers status "ready" (Redis and ZooKeeper both reachable). */
  waitReady(timeoutMs: number): Promise<void>;
  /**
   * Waits until every broker's /cluster lists exactly the brokers that run, all alive, and a controller
   * among them: the registry has caught up with restarts and ZooKeeper sessions lost on the way.
   */
  waitRegistered(timeoutMs: number): Promise<void>;
  /** A new connection for reading what the services stored; the caller disconnects it. */
  inspect(): Promise<RedisClient>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function startStack(options: StackOptions): Promise<FaultStack> {
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => {});
  };
  try {
    const [redis, zookeeper] = await Promise.all([startRedisUnderTest(options), startRestartableZooKeeper(join(options.dir, 'zookeeper'))]);
    stoppers.push(redis.kind === 'single' ? () => redis.server.stop() : () => redis.cluster.stop(), () => zookeeper.stop());

    const unexpectedExits: string[] = [];
    const logs = join(options.dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const env: Record<string, string> = {
      ...inheritedEnv(),
      ...(redis.kind === 'single'
        ? { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) }
        : { REDIS_CLUSTER_NODES: redis.cluster.seeds }),
      ZOOKEEPER_HOST: zookeeper.address,
      ZOOKEEPER_ROOT: '/tributary-faults',
      LISTEN_HOST: '127.0.0.1',
      ADVERTISED_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...options.serviceEnv,
    };
    const service = async (name: string, specifier: string, portVariable: string) => {
      const port = await freePort();
      const process = new ServiceProcess(name, entryPoint(specifier), port, { ...env, [portVariable]: String(port) }, join(logs, `${name}.log`), unexpectedExits);
      stoppers.push(() => process.stop());
      process.start();
      return process;
    };
    const brokers = [
      await service('broker-1', '@tributary/broker/server', 'BROKER_PORT'),
      await service('broker-2', '@tributary/broker/server', 'BROKER_PORT'),
    ];
    const gateway = await service('gateway', '@tributary/consumer-gateway/server', 'GATEWAY_PORT');
    const services = [...brokers, gateway];
    const waitReady = async (timeoutMs: number) => {
      await Promise.all(services.map((s) => s.waitReady(timeoutMs)));
    };
    await waitReady(READY_TIMEOUT_MS);

    return {
      redis,
      zookeeper,
      brokers,
      gateway,
      unexpectedExits,
      waitReady,
      waitRegistered: (timeoutMs) => waitRegistered(brokers, timeoutMs),
      async inspect() {
        const client =
          redis.kind === 'single'
            ? new Redis({ host: redis.host, port: redis.port, lazyConnect: true })
            : new Cluster(redis.cluster.seeds.split(',').map((seed) => ({ host: seed.split(':')[0]!, port: Number(seed.split(':')[1]) })), {
                lazyConnect: true,
              });
        await client.connect();
        return client;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface ClusterView {
  brokers: Array<{ id: string; port: number; alive: boolean }>;
  controller: { broker_id: string } | null;
}

async function waitRegistered(brokers: readonly ServiceProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ports = brokers.map((broker) => broker.port).sort();
  const problem = (view: ClusterView | undefined): string | undefined => {
    if (!view) return 'no answer';
    const listed = view.brokers.map((b) => `${b.port}${b.alive ? '' : ' (not alive)'}`).sort();
    if (listed.join() !== ports.join()) return `lists ${listed.join(', ') || 'no brokers'} where ${ports.join(', ')} run`;
    if (!view.controller || !view.brokers.some((b) => b.id === view.controller!.broker_id)) return `controller ${view.controller?.broker_id ?? 'none'}`;
    return undefined;
  };
  let last = '';
  while (Date.now() < deadline) {
    const views = await Promise.all(brokers.map((b) => call('GET', `${b.url}/cluster`, undefined, 2_000)));
    const problems = views.flatMap((view, i) => {
      const wrong = problem(view.kind === 'answer' && view.status === 200 ? (view.body as ClusterView) : undefined);
      return wrong ? [`${brokers[i]!.name}'s /cluster ${wrong}`] : [];
    });
    if (problems.length === 0) return;
    last = problems.join('; ');
    await sleep(200);
  }
  throw new Error(`the broker registry did not settle within ${timeoutMs} ms: ${last}`);
}

async function startRedisUnderTest({ redis, dir }: StackOptions): Promise<RedisUnderTest> {
  if (redis === 'cluster') {
    const cluster = await startRedisCluster({ dir: join(dir, 'redis-cluster'), masters: 3, replicasPerMaster: 1, persistent: true, appendfsync: 'always' });
    return { kind: 'cluster', cluster };
  }
  const options = { dir: join(dir, 'redis'), persistent: true, appendfsync: 'always' } as const;
  const first = await startRedis(options);
  // The same port and directory on every restart: it reloads its append-only file.
  const server = await restartableServer('redis', first, () => startRedis({ ...options, port: first.port }));
  return { kind: 'single', server, host: first.host, port: first.port };
}

async function startRestartableZooKeeper(dir: string): Promise<Restartable & { address: string }> {
  const first = await startZooKeeper({ dir });
  const server = await restartableServer('zookeeper', first, () => startZooKeeper({ dir, port: first.port }));
  return Object.assign(server, { address: `${first.host}:${first.port}` });
}

async function restartableServer(name: string, first: RunningServer, start: () => Promise<RunningServer>): Promise<Restartable> {
  let server = first;
  const crash = async () => {
    const child = server.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    name,
    get pid() {
      return server.process.pid;
    },
    signal: (signal) => server.process.kill(signal),
    crash,
    async restart() {
      await crash();
      server = await start();
    },
    async stop() {
      // A frozen server would hold SIGTERM pending until stop() gives up on it.
      server.process.kill('SIGCONT');
      await server.stop();
    },
  };
}

/** A broker or gateway process, on a fixed port across restarts, logging to a file. */
export class ServiceProcess implements Restartable {
  #child: ChildProcess | undefined;
  /** The suite signalled it to end: an exit now is no news. */
  #ending = false;

  constructor(
    readonly name: string,
    private readonly script: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
    private readonly unexpectedExits: string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(): void {
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [this.script], { env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.#ending = false;
    child.once('exit', (code, signal) => {
      if (!this.#ending) this.unexpectedExits.push(`${this.name} (pid ${child.pid}) exited on its own: ${signal ?? `code ${code}`}`);
    });
    this.#child = child;
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} is not running (see ${this.logFile})`);
      const result = await call('GET', `${this.url}/readyz`, undefined, 2_000);
      if (result.kind === 'answer' && (result.body as { status?: string } | undefined)?.status === 'ready') return;
      last = result.kind === 'answer' ? JSON.stringify(result.body) : result.kind;
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms: ${last}`);
  }

  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') this.#ending = true;
    this.#child?.kill(signal);
  }

  async crash(): Promise<void> {
    await this.#end('SIGKILL', Number.POSITIVE_INFINITY);
  }

  /** SIGTERM; resolves true once it exited, false if it still ran after `timeoutMs`. */
  async terminate(timeoutMs: number): Promise<boolean> {
    return this.#end('SIGTERM', timeoutMs);
  }

  async restart(): Promise<void> {
    if (this.running) await this.crash();
    this.start();
    await this.waitReady(READY_TIMEOUT_MS);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill('SIGCONT');
    if (!(await this.terminate(10_000))) await this.crash();
  }

  async #end(signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    const child = this.#child;
    if (!child || !this.running) return true;
    const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
    this.signal(signal);
    const timer = Number.isFinite(timeoutMs) ? sleep(timeoutMs, false, { ref: false }) : new Promise<boolean>(() => {});
    return Promise.race([exited, timer]);
  }
}

function entryPoint(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

/** The suite's environment less Tributary's own settings: the stack decides those. */
function inheritedEnv(): Record<string, string> {
  const settings = /^(REDIS_|ZOOKEEPER_|BROKER_|GATEWAY_|LISTEN_|ADVERTISED_|INSTANCE_ID|LOG_LEVEL|MAX_|RETENTION_)/;
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !settings.test(entry[0])));
}
