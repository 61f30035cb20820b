// The local stack behind `npm start` and `tributary up`: Redis (AOF) and ZooKeeper with their data under
// ./data, then the broker and the consumer gateway as child processes. `tributary up --redis-cluster` starts
// a Redis Cluster of three masters instead of the single Redis, and `--brokers N` N broker processes sharing
// the broker's port (broker/src/processes.ts, node:cluster). Servers the environment already points at
// (REDIS_HOST, REDIS_CLUSTER_NODES, ZOOKEEPER_HOST) are used instead of local ones. Ctrl-C stops everything,
// services first, so nothing is left running and the next start finds every topic and record.
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockDataDir } from './data-lock.js';
import { formatLogLine } from './log-lines.js';
import { isPortFree, freePort, startRedis, startRedisCluster, startZooKeeper } from './servers.js';

type Env = Record<string, string | undefined>;

export interface StackOptions {
  /** Where Redis and ZooKeeper keep their data (default ./data). */
  dataDir?: string;
  env?: Env;
  /** Where progress lines go (default stderr). */
  say?: (line: string) => void;
  /** Where the services' own log lines go, each prefixed by its service (default stdout). */
  serviceOutput?: NodeJS.WritableStream;
  /**
   * A local Redis Cluster of three masters (data in <dataDir>/redis-cluster, the first node on REDIS_PORT or
   * 7000, the others on the next ports) instead of the single Redis.
   */
  redisCluster?: boolean;
  /** Broker processes behind the broker's port (default 1): brokers are stateless, so N processes use N cores. */
  brokers?: number;
  /**
   * Stop on SIGINT and SIGTERM (default true). `tributary demo` says false: it stops its examples first,
   * while the gateway still answers their leaving the group, then calls stop() itself.
   */
  stopOnSignals?: boolean;
}

export interface LocalStack {
  brokerUrl: string;
  gatewayUrl: string;
  /** The broker's Kafka listener, host:port (KAFKA_PORT, 9092 by default here). */
  kafkaBootstrap: string;
  /** Where the local Redis and ZooKeeper keep their data. */
  dataDir: string;
  /** The single Redis the services use (redis://host:port), for applications that keep their own keys there; none for a Redis Cluster. */
  redisUrl: string | undefined;
  /** The topics there were once the stack answered (a second start finds the first one's). */
  topics: readonly string[];
  /** Resolves when the stack has stopped (Ctrl-C, SIGTERM, or a service died); rejects on a crash. */
  done: Promise<void>;
  stop(): Promise<void>;
}

interface Service {
  name: string;
  child: ChildProcess;
}

type Say = (line: string) => void;

interface Stoppable {
  stop(): Promise<void>;
}

export async function runLocalStack(options: StackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = resolve(options.dataDir ?? env['TRIBUTARY_DATA'] ?? 'data');
  const servers: Stoppable[] = [];
  const services: Service[] = [];
  // Before anything starts: a second stack on this directory fails here, naming the one that runs.
  const lock = lockDataDir(dataDir);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const service of services.reverse()) await stopChild(service.child);
      for (const server of servers.reverse()) await server.stop();
      lock.release();
    })());

  try {
    const brokerPort = Number(env['BROKER_PORT'] ?? 4000);
    const gatewayPort = Number(env['GATEWAY_PORT'] ?? 5000);
    // Before Redis and ZooKeeper start: the services' own ports are fixed, and a stack already on them (with
    // its data elsewhere, so the lock did not see it) is the usual reason they are taken.
    for (const [name, port, variable] of [
      ['broker', brokerPort, 'BROKER_PORT'],
      ['gateway', gatewayPort, 'GATEWAY_PORT'],
    ] as const) {
      await requireFreePort(name, port, variable);
    }

    const redisEnv = await localRedis({ env, dataDir, cluster: options.redisCluster ?? false, say, servers });

    let zookeeperHost = env['ZOOKEEPER_HOST'];
    if (!zookeeperHost) {
      const port = await localPort('ZooKeeper', 2181, say);
      say(`starting ZooKeeper on 127.0.0.1:${port} (data in ${dataDir}/zookeeper)`);
      const zookeeper = await startZooKeeper({ dir: `${dataDir}/zookeeper`, port });
      servers.push(zookeeper);
      zookeeperHost = `${zookeeper.host}:${zookeeper.port}`;
    } else {
      say(`using ZooKeeper at ${zookeeperHost} (ZOOKEEPER_HOST)`);
    }

    // Kafka's usual port, or another free one when that is taken (or when KAFKA_PORT=0 asks for any, as tests do).
    const kafkaPort = env['KAFKA_PORT'] === '0' ? await freePort() : env['KAFKA_PORT'] ? Number(env['KAFKA_PORT']) : await localPort('Kafka listener', 9092, say);
    const serviceEnv: Env = {
      ...env,
      ...redisEnv,
      ZOOKEEPER_HOST: zookeeperHost,
      LISTEN_HOST: listenHostFor(env),
      BROKER_PORT: String(brokerPort),
      GATEWAY_PORT: String(gatewayPort),
      KAFKA_PORT: String(kafkaPort),
    };
    await requireFreePort('Kafka listener', kafkaPort, 'KAFKA_PORT');

    const output = options.serviceOutput ?? process.stdout;
    const brokers = options.brokers ?? 1;
    services.push(
      brokers > 1
        ? startService('broker', '@tributary/broker/processes', serviceEnv, output, [String(brokers)])
        : startService('broker', '@tributary/broker/server', serviceEnv, output),
    );
    services.push(startService('gateway', '@tributary/consumer-gateway/server', serviceEnv, output));

    const scheme = env['TLS_CERT_FILE'] && env['TLS_KEY_FILE'] ? 'https' : 'http';
    const brokerUrl = `${scheme}://localhost:${brokerPort}`;
    const gatewayUrl = `${scheme}://localhost:${gatewayPort}`;
    await Promise.all([waitReady(brokerUrl, services[0]!), waitReady(gatewayUrl, services[1]!)]);
    lock.update({ broker_url: brokerUrl, gateway_url: gatewayUrl });
    const topics = await topicNames(brokerUrl, env['TRIBUTARY_ADMIN_KEY']);

    const done = new Promise<void>((resolveDone, rejectDone) => {
      for (const service of services) {
        service.child.once('exit', (code, signal) => {
          if (stopping) return;
          void stop().then(() => rejectDone(new Error(`the ${service.name} exited (${signal ?? `code ${code}`}); stack stopped`)));
        });
      }
      if (options.stopOnSignals === false) return;
      const onSignal = () => void stop().then(() => resolveDone());
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });

    const redisUrl = redisEnv['REDIS_HOST'] ? `redis://${redisEnv['REDIS_HOST']}:${redisEnv['REDIS_PORT']}` : undefined;
    return { brokerUrl, gatewayUrl, kafkaBootstrap: `localhost:${kafkaPort}`, dataDir, redisUrl, topics, done, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface LocalRedisOptions {
  env: Env;
  dataDir: string;
  cluster: boolean;
  say: Say;
  /** Where a Redis started here goes, to be stopped with the stack. */
  servers: Stoppable[];
}

/** The Redis the services use, as their environment: the one the environment names, else one started here. */
async function localRedis({ env, dataDir, cluster, say, servers }: LocalRedisOptions): Promise<Env> {
  const seeds = env['REDIS_CLUSTER_NODES'];
  if (seeds) {
    say(`using the Redis Cluster at ${seeds} (REDIS_CLUSTER_NODES)`);
    return { REDIS_CLUSTER_NODES: seeds };
  }
  const fsync = env['REDIS_APPENDFSYNC'] === 'always' || env['REDIS_APPENDFSYNC'] === 'no' ? env['REDIS_APPENDFSYNC'] : 'everysec';
  if (cluster) {
    // Ports for a new cluster: REDIS_PORT (or 7000) and the next two if free, else any free ones. A cluster
    // already in the data directory starts again on its own ports.
    const base = Number(env['REDIS_PORT'] ?? 7000);
    const wanted = [base, base + 1, base + 2];
    const free = (await Promise.all(wanted.map((port) => isPortFree(port)))).every(Boolean);
    say(`starting a Redis Cluster of 3 masters (AOF, appendfsync ${fsync}, data in ${dataDir}/redis-cluster)`);
    const redisCluster = await startRedisCluster({
      dir: `${dataDir}/redis-cluster`,
      masters: 3,
      appendfsync: fsync,
      ...(free ? { ports: wanted } : {}),
    });
    servers.push(redisCluster);
    say(`Redis Cluster ready on ${redisCluster.seeds}`);
    return { REDIS_CLUSTER_NODES: redisCluster.seeds };
  }
  const host = env['REDIS_HOST'];
  if (host) {
    say(`using Redis at ${host}:${env['REDIS_PORT'] ?? 6379} (REDIS_HOST)`);
    return { REDIS_HOST: host, REDIS_PORT: env['REDIS_PORT'] ?? '6379' };
  }
  const port = await localPort('Redis', Number(env['REDIS_PORT'] ?? 6379), say);
  say(`starting redis-server on 127.0.0.1:${port} (AOF, appendfsync ${fsync}, data in ${dataDir}/redis)`);
  const redis = await startRedis({ dir: `${dataDir}/redis`, port, appendfsync: fsync });
  servers.push(redis);
  return { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) };
}

/**
 * Where the services listen: with auth off, on loopback only, so nobody else can reach a stack that lets
 * anyone in; with AUTH=on, on every interface. LISTEN_HOST, when set, wins (and a service with auth off
 * on another interface logs a loud warning).
 */
export function listenHostFor(env: Env): string {
  if (env['LISTEN_HOST']) return env['LISTEN_HOST'];
  return /^(on|true|1)$/i.test(env['AUTH'] ?? '') ? '0.0.0.0' : '127.0.0.1';
}

/** Throws, in one line, when `port` is taken, saying so when a Tributary service is what answers there. */
async function requireFreePort(name: string, port: number, variable: string): Promise<void> {
  if (await isPortFree(port, '0.0.0.0')) return;
  const tributary = name === 'Kafka listener' ? false : (await answersReady(`http://localhost:${port}`, true)) || (await answersReady(`https://localhost:${port}`, true));
  throw new Error(
    tributary
      ? `port ${port} for the ${name} is in use; a Tributary ${name} answers there (another stack, with its data elsewhere?): stop it, or set ${variable}`
      : `port ${port} for the ${name} is in use; stop what uses it or set ${variable}`,
  );
}

async function localPort(what: string, preferred: number, say: Say): Promise<number> {
  if (await isPortFree(preferred)) return preferred;
  const port = await freePort();
  say(`port ${preferred} is taken (another ${what}?); the local ${what} uses ${port} instead`);
  return port;
}

function startService(name: string, entry: string, env: Env, output: NodeJS.WritableStream, args: string[] = []): Service {
  const script = new URL(import.meta.resolve(entry)).pathname;
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => output.write(`[${name}] ${formatLogLine(line)}\n`));
  }
  return { name, child };
}

async function waitReady(url: string, service: Service): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`the ${service.name} exited with code ${service.child.exitCode} while starting`);
    if (await answersReady(url)) return;
    await sleep(100);
  }
  throw new Error(`the ${service.name} did not become ready at ${url}/readyz within 30 s`);
}

/**
 * Whether GET /readyz answers 200 (false while not listening yet); with `anyTributary`, whether it answers as
 * a Tributary service does, ready or not (its checks name Redis).
 */
function answersReady(url: string, anyTributary = false): Promise<boolean> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolveReady) => {
    // Our own child process on localhost: only whether it answers matters, so a self-signed certificate is fine.
    const request = get(`${url}/readyz`, { rejectUnauthorized: false, timeout: 2_000 }, (response) => {
      if (!anyTributary) {
        response.resume();
        return resolveReady(response.statusCode === 200);
      }
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        if (body.length < 65_536) body += chunk;
      });
      response.on('end', () => {
        try {
          resolveReady(typeof (JSON.parse(body) as { checks?: { redis?: unknown } }).checks?.redis === 'string');
        } catch {
          resolveReady(false);
        }
      });
    });
    request.on('timeout', () => request.destroy()).on('error', () => resolveReady(false));
  });
}

/** The broker's topics by name; none when it does not say (AUTH=on without the admin key in the environment). */
function topicNames(url: string, adminKey: string | undefined): Promise<string[]> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolveNames) => {
    const headers = adminKey ? { authorization: `Bearer ${adminKey}` } : {};
    get(`${url}/topics`, { rejectUnauthorized: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          const { topics } = JSON.parse(body) as { topics: Array<{ name: string }> };
          resolveNames(response.statusCode === 200 ? topics.map((topic) => topic.name) : []);
        } catch {
          resolveNames([]);
        }
      });
    }).on('error', () => resolveNames([]));
  });
}

/** SIGTERM, and SIGKILL if the process is still there after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The quick start printed once the stack is up. */
export function quickStart({ brokerUrl, gatewayUrl, kafkaBootstrap, dataDir, topics }: Pick<LocalStack, 'brokerUrl' | 'gatewayUrl' | 'kafkaBootstrap' | 'dataDir' | 'topics'>): string {
  return [
    '',
    'Tributary is up.',
    `  broker            ${brokerUrl}   (topics, writes)`,
    `  consumer gateway  ${gatewayUrl}   (subscribe, read)`,
    `  Kafka listener    ${kafkaBootstrap}   (Kafka clients: kcat -b ${kafkaBootstrap} -L)`,
    '',
    `  web console       ${brokerUrl}/ui   (topics, messages, consumers and their lag)`,
    `  API docs          ${brokerUrl}/docs and ${gatewayUrl}/docs   (Swagger UI; OpenAPI 3 at /openapi.json)`,
    '',
    'Try it:',
    // A second start finds the first one's topic: suggesting to create it again would answer 409.
    topics.includes('news') ? '  # topic "news" exists from an earlier start' : `  curl -X POST ${brokerUrl}/create_topic/news/3`,
    `  curl -X POST ${brokerUrl}/write/news -H 'content-type: application/json' -d '{"key": "user123", "value": "Breaking news update"}'`,
    `  curl -X POST ${gatewayUrl}/subscribe/john@example.com/news`,
    `  curl ${gatewayUrl}/read/john@example.com/news/user123`,
    '',
    `Ctrl-C stops everything; data stays in ${dataDir} for the next start.`,
    '',
  ].join('\n');
}
