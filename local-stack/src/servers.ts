// Starts real redis-server and ZooKeeper processes: for `npm start` (data under ./data) and for the tests
// (throwaway directories, free loopback ports). Nothing here is mocked; these are the Debian packages.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
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

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
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

export interface RedisOptions {
  dir: string;
  port?: number;
  /** AOF fsync policy; 'always' makes every acknowledged write durable on disk (DESIGN.md I6). */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Throwaway test servers skip persistence entirely. */
  persistent?: boolean;
}

export async function startRedis(options: RedisOptions): Promise<RunningServer> {
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const persistence =
    options.persistent === false
      ? ['--appendonly', 'no', '--save', '']
      : ['--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec', '--save', ''];
  const args = ['--port', String(port), '--bind', host, '--dir', options.dir, '--daemonize', 'no', ...persistence];
  const { child, logFile } = spawnLogged(redisServerBinary(), args, options.dir, 'redis');
  await waitUntil(
    `redis-server on port ${port}`,
    async () => (await ask(host, port, 'PING\r\n', 300)).startsWith('+PONG'),
    child,
    logFile,
    15_000,
  );
  return { host, port, dir: options.dir, process: child, stop: stopper(child) };
}

export interface ZooKeeperOptions {
  dir: string;
  port?: number;
}

export async function startZooKeeper(options: ZooKeeperOptions): Promise<RunningServer> {
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(options.dir, 'zoo.cfg');
  writeFileSync(
    configFile,
    [
      'tickTime=2000',
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${dataDir}`,
      `clientPort=${port}`,
      `clientPortAddress=${host}`,
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr',
      'autopurge.purgeInterval=1',
      '',
    ].join('\n'),
  );
  const { command, args } = zooKeeperCommand(configFile);
  const { child, logFile } = spawnLogged(command, args, options.dir, 'zookeeper');
  await waitUntil(
    `ZooKeeper on port ${port}`,
    async () => (await ask(host, port, 'ruok', 300)) === 'imok',
    child,
    logFile,
    60_000,
  );
  return { host, port, dir: options.dir, process: child, stop: stopper(child) };
}

const DEBIAN_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

function redisServerBinary(): string {
  return process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
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
