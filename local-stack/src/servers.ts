// Starts real redis-server and ZooKeeper processes: for `npm start` (data under ./data) and for the tests
// (throwaway directories, free loopback ports). Nothing here is mocked; these are the Debian packages.
// Besides the single servers there are a Redis Cluster and a ZooKeeper ensemble whose nodes a test can
// crash (SIGKILL), freeze (SIGSTOP) and bring back on the same port and data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** One server of a Redis Cluster or ZooKeeper ensemble, which a test may crash, freeze and bring back. */
export interface ServerNode extends RunningServer {
  /** The current process: a new one after each restart(). */
  readonly process: ChildProcess;
  /** Alive and not frozen. */
  readonly running: boolean;
  /**
   * SIGKILL crashes it; SIGSTOP freezes it (its sockets stay open, it answers nothing); SIGCONT thaws it.
   * After SIGKILL, resolves once the process is gone (the kernel has closed its sockets by then).
   */
  kill(signal: NodeJS.Signals): Promise<void>;
  /**
   * Starts it again on the same port and directory, stopping it first if it still runs. Resolves once the
   * process answers, not once it has rejoined its cluster: see waitUntilHealthy() and waitUntilServing().
   */
  restart(): Promise<void>;
}

/** A port the kernel says is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `count` different free ports: freePort() may hand out the same port twice in a row. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Sends `request` over a fresh TCP connection and resolves with everything the server answers. */
function ask(host: string, port: number, request: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('error', () => resolve(''));
    socket.on('close', () => resolve(answer));
    socket.on('end', () => socket.end());
  });
}

/** One inline Redis command; the QUIT after it makes Redis close the connection as soon as it has answered. */
function askRedis(host: string, port: number, command: string): Promise<string> {
  return ask(host, port, `${command}\r\nQUIT\r\n`, 1_000);
}

async function waitUntil(what: string, probe: () => Promise<boolean>, child: ChildProcess, logFile: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}; see ${logFile}`);
    if (await probe()) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${what} did not become ready within ${timeoutMs} ms; see ${logFile}`);
}

/** Polls a condition spanning several servers; `probe` answers null when it holds, else what is still wrong. */
async function pollUntil(what: string, probe: () => Promise<string | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem: string | null = 'not checked yet';
  while (Date.now() < deadline) {
    problem = await probe();
    if (problem === null) return;
    await sleep(100);
  }
  throw new Error(`${what} within ${timeoutMs} ms: ${problem}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // An unref'd timer: a process whose servers all stopped in time must not wait it out before exiting.
    const killed = await Promise.race([exited.then(() => true), sleep(10_000, undefined, { ref: false }).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
}

function spawnLogged(command: string, args: string[], dir: string, name: string): { child: ChildProcess; logFile: string } {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { child, logFile };
}

async function stopAll(servers: ReadonlyArray<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

/** Starts every server; if one fails, stops those that started and rethrows. */
async function startAll<T extends { stop(): Promise<void> }>(starts: Array<() => Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await stopAll(results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])));
    throw failure.reason;
  }
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** A ServerNode whose process `launch` starts, resolving once it answers; started here the first time. */
async function startNode(host: string, port: number, dir: string, launch: () => Promise<ChildProcess>): Promise<ServerNode> {
  let child = await launch();
  let frozen = false;
  let killed = false; // SIGKILL sent: gone, even before node sees the exit
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const exited = () => killed || gone();
  const stop = async () => {
    // A frozen process would hold a SIGTERM pending until stopper() gives up and kills it.
    if (frozen && !exited()) child.kill('SIGCONT');
    frozen = false;
    await stopper(child)();
  };
  return {
    host,
    port,
    dir,
    get process() {
      return child;
    },
    get running() {
      return !exited() && !frozen;
    },
    stop,
    async kill(signal) {
      if (signal === 'SIGSTOP') frozen = true;
      if (signal === 'SIGCONT') frozen = false;
      if (signal === 'SIGKILL') killed = true;
      const exit = gone() ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      if (signal === 'SIGKILL') await exit;
    },
    async restart() {
      await stop();
      child = await launch();
      killed = false;
    },
  };
}

export interface RedisOptions {
  dir: string;
  port?: number;
  /** AOF fsync policy; 'always' makes every acknowledged write durable on disk (docs/invariants.md I6). */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Throwaway test servers skip persistence entirely. */
  persistent?: boolean;
}

function redisPersistence({ persistent, appendfsync }: Pick<RedisOptions, 'persistent' | 'appendfsync'>): string[] {
  return persistent === false
    ? ['--appendonly', 'no', '--save', '']
    : ['--appendonly', 'yes', '--appendfsync', appendfsync ?? 'everysec', '--save', ''];
}

/** Starts redis-server with `args` in `dir` and resolves once it answers PING. */
async function launchRedis(host: string, port: number, dir: string, args: string[]): Promise<ChildProcess> {
  const base = ['--port', String(port), '--bind', host, '--dir', dir, '--daemonize', 'no'];
  const { child, logFile } = spawnLogged(redisServerBinary(), [...base, ...args], dir, 'redis');
  await waitUntil(
    `redis-server on port ${port}`,
    async () => (await askRedis(host, port, 'PING')).startsWith('+PONG'),
    child,
    logFile,
    15_000,
  );
  return child;
}

export async function startRedis(options: RedisOptions): Promise<RunningServer> {
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const child = await launchRedis(host, port, options.dir, redisPersistence(options));
  return { host, port, dir: options.dir, process: child, stop: stopper(child) };
}

export interface RedisClusterOptions extends Omit<RedisOptions, 'port'> {
  /**
   * Each node gets its own directory under `dir`, and `dir`/cluster.json says where the nodes listen: a
   * cluster found there starts again as itself (same ports, same nodes.conf), with its data if persistent.
   */
  dir: string;
  masters?: number;
  replicasPerMaster?: number;
  /** The nodes' ports for a new cluster (default: free ones). */
  ports?: readonly number[];
}

export interface RedisCluster {
  /** Every node, masters and replicas, in the order they were started (roles change with failovers). */
  readonly nodes: readonly ServerNode[];
  /** "host:port,host:port,..." for REDIS_CLUSTER_NODES. */
  readonly seeds: string;
  /** The nodes that serve slots now, as a running node sees the cluster. */
  masters(): Promise<ServerNode[]>;
  /**
   * Waits until every running node says cluster_state:ok, knows every node, agrees with the others on which
   * master serves which slots, and (if it is a replica) has its link to its master up.
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// Cluster settings for tests that crash and freeze nodes:
// - cluster-node-timeout 2000: a dead master is flagged failed after ~2 s and its replica promoted about a
//   second later (the default, 15 s, would make every failover test wait that long).
// - cluster-replica-validity-factor 0: a replica may always be promoted, however long it has been cut off
//   from its master. With the default a replica refuses ("Disconnected from master for longer than
//   allowed") when its master was frozen or unreachable for more than ten node timeouts before it died.
//   It could promote a stale replica; waitUntilHealthy() makes sure replicas are in sync before a test
//   starts.
// - cluster-require-full-coverage no: while one master is down, the others keep serving their slots, as
//   Kafka keeps serving the partitions whose leader is alive. With the default every node would answer
//   CLUSTERDOWN for every key until the failover completes.
// - repl-diskless-sync-delay 0: a new replica syncs at once instead of after Redis 7's default 5 s wait for
//   more replicas to share the transfer.
const CLUSTER_SETTINGS = [
  '--cluster-enabled', 'yes',
  '--cluster-config-file', 'nodes.conf',
  '--cluster-node-timeout', '2000',
  '--cluster-replica-validity-factor', '0',
  '--cluster-require-full-coverage', 'no',
  '--repl-diskless-sync-delay', '0',
];

const HASH_SLOTS = 16_384;

/** One line of CLUSTER NODES: `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`. */
interface ClusterNodeLine {
  address: string;
  flags: string[];
  slots: string[];
}

function parseClusterNodes(reply: string): ClusterNodeLine[] {
  return reply
    .split('\n')
    .filter((line) => /^[0-9a-f]{40} /.test(line))
    .map((line) => {
      const [, address = '', flags = '', , , , , , ...slots] = line.trim().split(' ');
      return { address: address.split('@')[0]!, flags: flags.split(','), slots };
    });
}

// A master flagged "fail?" (this node cannot reach it) or "fail" (the cluster agreed) serves nothing.
const servesSlots = (line: ClusterNodeLine) =>
  line.flags.includes('master') && !line.flags.some((flag) => flag.startsWith('fail')) && slotCount(line.slots) > 0;

function slotCount(slots: string[]): number {
  return slots
    .filter((slot) => !slot.startsWith('[')) // [slot->-id] entries are migrations in progress
    .reduce((sum, range) => {
      const [first, last = first] = range.split('-').map(Number) as [number, number?];
      return sum + (last! - first + 1);
    }, 0);
}

/** Where a cluster's nodes listen: kept in <dir>/cluster.json, so that the cluster can start again as itself. */
interface ClusterLayout {
  masters: number;
  replicasPerMaster: number;
  nodes: Array<{ port: number; busPort: number }>;
}

async function clusterLayout(
  options: RedisClusterOptions,
  masters: number,
  replicasPerMaster: number,
): Promise<ClusterLayout & { existing: boolean }> {
  const file = join(options.dir, 'cluster.json');
  if (existsSync(file)) {
    const layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterLayout;
    if (layout.masters !== masters || layout.replicasPerMaster !== replicasPerMaster) {
      throw new Error(
        `${options.dir} holds a Redis Cluster of ${layout.masters} masters with ${layout.replicasPerMaster} replicas each, not ` +
          `${masters} with ${replicasPerMaster}: use another directory`,
      );
    }
    for (const { port } of layout.nodes) {
      if (!(await isPortFree(port))) throw new Error(`port ${port} of the Redis Cluster in ${options.dir} is in use (running already?)`);
    }
    return { ...layout, existing: true };
  }
  const count = masters * (1 + replicasPerMaster);
  if (options.ports && options.ports.length !== count) throw new Error(`a Redis Cluster of ${count} nodes needs ${count} ports`);
  const ports = options.ports ?? (await freePorts(count));
  // Redis puts a node's cluster bus on its port + 10000, which may be taken or past 65535: then the node
  // gets a free bus port of its own (cluster-port, Redis 7).
  const taken = new Set(ports);
  const nodes: ClusterLayout['nodes'] = [];
  for (const port of ports) {
    let busPort = port + 10_000;
    while (busPort > 65_535 || taken.has(busPort) || !(await isPortFree(busPort))) busPort = await freePort();
    taken.add(busPort);
    nodes.push({ port, busPort });
  }
  return { masters, replicasPerMaster, nodes, existing: false };
}

export async function startRedisCluster(options: RedisClusterOptions): Promise<RedisCluster> {
  const host = '127.0.0.1';
  const { masters = 3, replicasPerMaster = 0 } = options;
  mkdirSync(options.dir, { recursive: true });
  const { existing, ...layout } = await clusterLayout(options, masters, replicasPerMaster);
  const nodes = await startAll(
    layout.nodes.map(({ port, busPort }) => async () => {
      const dir = join(options.dir, `node-${port}`);
      mkdirSync(dir, { recursive: true });
      const args = [...CLUSTER_SETTINGS, '--cluster-port', String(busPort), ...redisPersistence(options)];
      return startNode(host, port, dir, () => launchRedis(host, port, dir, args));
    }),
  );
  const stop = () => stopAll(nodes);

  const waitUntilHealthy = (timeoutMs = 30_000) =>
    pollUntil(
      'the Redis Cluster did not become healthy',
      async () => {
        const running = nodes.filter((node) => node.running);
        const views = new Set<string>();
        for (const node of running) {
          const name = `${node.host}:${node.port}`;
          const info = await askRedis(node.host, node.port, 'CLUSTER INFO');
          if (!info.includes('cluster_state:ok')) return `${name} says ${/cluster_state:\w+/.exec(info)?.[0] ?? 'nothing'}`;
          const lines = parseClusterNodes(await askRedis(node.host, node.port, 'CLUSTER NODES'));
          if (lines.length !== nodes.length) return `${name} knows ${lines.length} of ${nodes.length} nodes`;
          const serving = lines.filter(servesSlots);
          const covered = serving.reduce((sum, line) => sum + slotCount(line.slots), 0);
          if (covered !== HASH_SLOTS) return `${name} sees ${covered} of ${HASH_SLOTS} slots served`;
          views.add(serving.map((line) => `${line.address} ${line.slots.join(' ')}`).sort().join('; '));
          const myself = lines.find((line) => line.flags.includes('myself'));
          if (myself?.flags.includes('slave')) {
            const replication = await askRedis(node.host, node.port, 'INFO replication');
            if (!replication.includes('master_link_status:up')) return `replica ${name} is not in sync with its master`;
          }
        }
        return views.size > 1 ? `the nodes disagree on the slots: ${[...views].join(' | ')}` : null;
      },
      timeoutMs,
    );

  try {
    if (!existing) {
      await createCluster(nodes, replicasPerMaster, options.dir);
      writeFileSync(join(options.dir, 'cluster.json'), `${JSON.stringify(layout, null, 2)}\n`);
    }
    await waitUntilHealthy();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    nodes,
    seeds: nodes.map((node) => `${node.host}:${node.port}`).join(','),
    async masters() {
      const witness = nodes.find((node) => node.running);
      if (!witness) return [];
      const serving = parseClusterNodes(await askRedis(witness.host, witness.port, 'CLUSTER NODES')).filter(servesSlots);
      return nodes.filter((node) => serving.some((line) => line.address === `${node.host}:${node.port}`));
    },
    waitUntilHealthy,
    stop,
  };
}

/** `redis-cli --cluster create`: assigns the slots to the first nodes and makes the rest their replicas. */
async function createCluster(nodes: readonly ServerNode[], replicasPerMaster: number, dir: string): Promise<void> {
  const addresses = nodes.map((node) => `${node.host}:${node.port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'];
  const { child, logFile } = spawnLogged(redisCliBinary(), args, dir, 'cluster-create');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`redis-cli --cluster create exited with code ${code}; see ${logFile}`);
}

export interface ZooKeeperOptions {
  dir: string;
  port?: number;
}

function writeZooKeeperConfig(dir: string, settings: string[]): string {
  const configFile = join(dir, 'zoo.cfg');
  writeFileSync(
    configFile,
    [...settings, 'maxClientCnxns=0', 'admin.enableServer=false', '4lw.commands.whitelist=ruok,srvr', 'autopurge.purgeInterval=1', ''].join(
      '\n',
    ),
  );
  return configFile;
}

/** Starts a ZooKeeper server from `configFile` and resolves once it answers `ruok` (even if not yet serving). */
async function launchZooKeeper(host: string, port: number, dir: string, configFile: string): Promise<ChildProcess> {
  const { command, args } = zooKeeperCommand(configFile);
  const { child, logFile } = spawnLogged(command, args, dir, 'zookeeper');
  await waitUntil(`ZooKeeper on port ${port}`, async () => (await ask(host, port, 'ruok', 300)) === 'imok', child, logFile, 60_000);
  return child;
}

export async function startZooKeeper(options: ZooKeeperOptions): Promise<RunningServer> {
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = writeZooKeeperConfig(options.dir, [
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    `clientPortAddress=${host}`,
  ]);
  const child = await launchZooKeeper(host, port, options.dir, configFile);
  return { host, port, dir: options.dir, process: child, stop: stopper(child) };
}

export interface ZooKeeperEnsembleOptions {
  /** Each server gets its own directory under `dir`. */
  dir: string;
  size?: number;
}

export interface ZooKeeperEnsemble {
  readonly nodes: readonly ServerNode[];
  /** "host:port,host:port,..." for ZOOKEEPER_HOST. */
  readonly connectString: string;
  /** The server that leads now, if a quorum has elected one. */
  leader(): Promise<ServerNode | undefined>;
  /** Waits until every running server serves clients, under one leader. */
  waitUntilServing(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startZooKeeperEnsemble(options: ZooKeeperEnsembleOptions): Promise<ZooKeeperEnsemble> {
  const host = '127.0.0.1';
  const size = options.size ?? 3;
  const ports = await freePorts(size * 3);
  const members = Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    clientPort: ports[i]!,
    quorumPort: ports[size + i]!,
    electionPort: ports[2 * size + i]!,
  }));
  const servers = members.map(({ id, quorumPort, electionPort }) => `server.${id}=${host}:${quorumPort}:${electionPort}`);

  const nodes = await startAll(
    members.map(({ id, clientPort }) => async () => {
      const dir = join(options.dir, `server-${id}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
      // A short tick makes elections and the detection of a dead leader or follower quick (syncLimit ticks,
      // here 2 s). Session timeouts are bounded by the tick (2 to 20 ticks unless set): allow up to 60 s so
      // clients get the timeout they ask for. cnxTimeout bounds an election's wait on a frozen peer.
      const configFile = writeZooKeeperConfig(dir, [
        'tickTime=500',
        'initLimit=20',
        'syncLimit=4',
        'maxSessionTimeout=60000',
        'cnxTimeout=1000',
        `dataDir=${dataDir}`,
        `clientPort=${clientPort}`,
        `clientPortAddress=${host}`,
        ...servers,
      ]);
      return startNode(host, clientPort, dir, () => launchZooKeeper(host, clientPort, dir, configFile));
    }),
  );
  const stop = () => stopAll(nodes);

  /** What `srvr` says each running server is: leader, follower, or undefined while it does not serve. */
  const serverModes = async () => {
    const running = nodes.filter((node) => node.running);
    const answers = await Promise.all(running.map((node) => ask(node.host, node.port, 'srvr', 1_000)));
    return running.map((node, i) => ({ node, mode: /^Mode: (\w+)/m.exec(answers[i]!)?.[1] }));
  };
  const waitUntilServing = (timeoutMs = 60_000) =>
    pollUntil(
      'the ZooKeeper ensemble did not serve',
      async () => {
        const modes = (await serverModes()).map(({ mode }) => mode);
        if (modes.length <= size / 2) return `only ${modes.length} of ${size} servers run: no quorum`;
        if (modes.some((mode) => mode !== 'leader' && mode !== 'follower')) return `modes: ${modes.join(', ')}`;
        return modes.filter((mode) => mode === 'leader').length === 1 ? null : `modes: ${modes.join(', ')}`;
      },
      timeoutMs,
    );

  try {
    await waitUntilServing();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    connectString: nodes.map((node) => `${node.host}:${node.port}`).join(','),
    leader: async () => (await serverModes()).find(({ mode }) => mode === 'leader')?.node,
    waitUntilServing,
    stop,
  };
}

const DEBIAN_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

function redisServerBinary(): string {
  return process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
}

/** The redis-cli beside a REDIS_SERVER_BIN given as a path, else the one on PATH. */
function redisCliBinary(): string {
  const server = redisServerBinary();
  return server.includes('/') ? join(dirname(server), 'redis-cli') : 'redis-cli';
}

function zooKeeperCommand(configFile: string): { command: string; args: string[] } {
  // Debian's package ships the jar (its manifest carries the classpath); elsewhere use the distribution's
  // zkServer.sh from PATH.
  if (existsSync(DEBIAN_ZOOKEEPER_JAR)) {
    return {
      command: 'java',
      args: ['-Xmx256m', '-cp', DEBIAN_ZOOKEEPER_JAR, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', configFile],
    };
  }
  return { command: 'zkServer.sh', args: ['start-foreground', configFile] };
}
