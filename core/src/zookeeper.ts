// A ZooKeeper session with promises and a deadline on every request. It survives session expiry by opening
// a new session and emitting 'session', so owners of ephemeral nodes and watches can set them up again
// (watches and ephemeral nodes die with the session that made them).
import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import type { Client, Event, Stat, Transaction } from 'node-zookeeper-client';
import type { Config } from './config.js';
import { withDeadline } from './deadline.js';
import { TributaryError } from './errors.js';
import type { Logger } from './logger.js';
import { secondsSince, type ServiceMetrics } from './metrics.js';
import type { ConnectionState } from './storage/connection.js';

const { CreateMode, Exception } = zookeeper;

/** Answers from ZooKeeper that are about the data, not an outage: callers branch on them. */
export type NodeErrorKind = 'NO_NODE' | 'NODE_EXISTS' | 'BAD_VERSION' | 'NOT_EMPTY';

export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(
    readonly kind: NodeErrorKind,
    readonly path: string,
  ) {
    super(`${kind} at ${path}`);
  }
}

export const isNodeError = (err: unknown, kind: NodeErrorKind): err is NodeError =>
  err instanceof NodeError && err.kind === kind;

const nodeErrorKinds = new Map<number, NodeErrorKind>([
  [Exception.NO_NODE, 'NO_NODE'],
  [Exception.NODE_EXISTS, 'NODE_EXISTS'],
  [Exception.BAD_VERSION, 'BAD_VERSION'],
  [Exception.NOT_EMPTY, 'NOT_EMPTY'],
]);

export type Watcher = (event: Event) => void;

export interface NodeData<T> {
  value: T;
  version: number;
}

export type TransactionOp =
  | { op: 'create'; path: string; data: unknown; ephemeral?: boolean }
  | { op: 'setData'; path: string; data: unknown; version: number }
  | { op: 'remove'; path: string; version?: number };

export class ZooKeeper extends EventEmitter {
  #client: Client;
  #state: ConnectionState = 'connecting';
  #closed = false;
  /** When ZooKeeper last answered anything (see #watchdog). */
  #lastHeard = Date.now();
  readonly #watchdogTimer: NodeJS.Timeout;

  private constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    super();
    this.#client = this.#open();
    this.#watchdogTimer = setInterval(this.#watchdog, Math.max(200, Math.floor(config.zookeeperSessionTimeoutMs / 3)));
    this.#watchdogTimer.unref();
  }

  /** Opens a session, failing with ZOOKEEPER_UNAVAILABLE if none is established in time. */
  static async connect(config: Config, log: Logger): Promise<ZooKeeper> {
    const zk = new ZooKeeper(config, log);
    try {
      await withDeadline(zk.#connected(), config.zookeeperTimeoutMs * 3);
    } catch (err) {
      zk.close();
      throw new TributaryError(
        'ZOOKEEPER_UNAVAILABLE',
        `cannot connect to ZooKeeper at ${config.zookeeperHost}`,
        {},
        { cause: err },
      );
    }
    return zk;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  close(): void {
    this.#closed = true;
    this.#state = 'closed';
    clearInterval(this.#watchdogTimer);
    this.#client.close();
  }

  /**
   * Two ways a session can be stuck where node-zookeeper-client never gives up on it:
   * - A frozen ZooKeeper server (SIGSTOP, a long GC pause, a dead network path) keeps its TCP connection open,
   *   and the library pings it without ever timing out the answer: the session would look healthy while
   *   nothing answers, and the controller would keep acting. So we ping ourselves, and when nothing has
   *   answered for two thirds of the session timeout (the read timeout of ZooKeeper's own Java client) we say
   *   so and drop the socket. The library then reconnects to the next server of the ensemble under the same
   *   session, as the Java client does.
   * - Reconnecting under the old session can fail for ever: a restarted server that accepts the connection but
   *   never answers the handshake (the library has no handshake timeout), or one that refuses a client which
   *   has seen a later transaction than it has. Once we have been cut off for longer than the session timeout,
   *   no server holds the session any more, so we give it up and open a new one, as Curator does.
   */
  #watchdog = (): void => {
    if (this.#closed) return;
    const silentMs = Date.now() - this.#lastHeard;
    if (this.#client.getState() !== zookeeper.State.SYNC_CONNECTED) {
      if (silentMs > this.config.zookeeperSessionTimeoutMs) this.#renewSession('ZooKeeper unreachable for longer than the session timeout');
      return;
    }
    this.#client.exists('/', (err) => {
      if (!err) this.#lastHeard = Date.now();
    });
    if (silentMs < (this.config.zookeeperSessionTimeoutMs * 2) / 3) return;
    this.log.warn({ zookeeper: this.config.zookeeperHost }, 'ZooKeeper stopped answering; reconnecting');
    this.#lastHeard = Date.now();
    this.#state = 'reconnecting';
    this.emit('state', this.#state);
    // The library's own socket: destroying it is how it handles a connect timeout, too. A reconnect that
    // never completes renews the session one session timeout from now (above).
    connectionManager(this.#client).socket?.destroy();
  };

  /** Drops the current session (its ephemeral nodes and watches die with it) and opens a new one. */
  #renewSession(reason: string): void {
    this.log.warn({ zookeeper: this.config.zookeeperHost }, `${reason}; opening a new session`);
    this.#state = 'reconnecting';
    this.#lastHeard = Date.now();
    const old = this.#client;
    this.#client = this.#open();
    discard(old);
    this.#connected().then(() => this.emit('session'));
  }

  #open(): Client {
    const client = zookeeper.createClient(this.config.zookeeperHost, {
      sessionTimeout: this.config.zookeeperSessionTimeoutMs,
      spinDelay: 500,
      retries: 1,
    });
    // 'state' tells owners of ZooKeeper-backed roles (the controller) that the connection came and went
    // within one session: its ephemeral nodes may still be theirs, but nothing is certain while it is down.
    client.on('connected', () => {
      this.#state = 'ready';
      this.#lastHeard = Date.now();
      this.emit('state', this.#state);
    });
    client.on('disconnected', () => {
      if (this.#closed) return;
      this.#state = 'reconnecting';
      this.emit('state', this.#state);
    });
    client.on('expired', () => {
      if (!this.#closed) this.#renewSession('ZooKeeper session expired');
    });
    client.connect();
    return client;
  }

  /** Resolves once a session is connected: the current client's, even if it is renewed meanwhile. */
  #connected(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const onState = (state: ConnectionState) => {
        if (state !== 'ready') return;
        this.off('state', onState);
        resolve();
      };
      this.on('state', onState);
    });
  }

  /** Times every request, failures apart (metrics.ts); set by the service that owns this session. */
  metrics: ServiceMetrics | undefined = undefined;

  #call<T>(operation: string, path: string, run: (client: Client, done: (err: unknown, value?: T) => void) => void): Promise<T> {
    const start = performance.now();
    const request = new Promise<T>((resolve, reject) => {
      run(this.#client, (err, value) => {
        if (!err) return resolve(value as T);
        const kind = err instanceof Exception ? nodeErrorKinds.get(err.getCode()) : undefined;
        reject(
          kind
            ? new NodeError(kind, path)
            : new TributaryError('ZOOKEEPER_UNAVAILABLE', `ZooKeeper failed: ${String(err)}`, {}, { cause: err }),
        );
      });
    });
    const answer = withDeadline(
      request,
      this.config.zookeeperTimeoutMs,
      () => new TributaryError('ZOOKEEPER_UNAVAILABLE', `ZooKeeper did not answer within ${this.config.zookeeperTimeoutMs} ms`),
    );
    const metrics = this.metrics;
    if (metrics) {
      // An answer about the data (no node, bad version) is ZooKeeper working; only outages count as failures.
      answer.then(
        () => metrics.observeZooKeeper(operation, secondsSince(start), true),
        (err: unknown) => metrics.observeZooKeeper(operation, secondsSince(start), err instanceof NodeError),
      );
    }
    return answer;
  }

  async mkdirp(path: string): Promise<void> {
    await this.#call<string>('mkdirp', path, (c, done) => c.mkdirp(path, done));
  }

  async create(path: string, data: unknown, { ephemeral = false } = {}): Promise<void> {
    const mode = ephemeral ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
    await this.#call<string>('create', path, (c, done) => c.create(path, encode(data), mode, done));
  }

  async getData<T>(path: string, watcher?: Watcher): Promise<NodeData<T>> {
    const [data, stat] = await this.#call<[Buffer, Stat]>('getData', path, (c, done) => {
      const callback = (err: unknown, buffer: Buffer, st: Stat) => done(err, [buffer, st]);
      if (watcher) c.getData(path, watcher, callback);
      else c.getData(path, callback);
    });
    return { value: JSON.parse(data.toString('utf8')) as T, version: stat.version };
  }

  /** Like getData, but undefined when the node does not exist. */
  async getDataIfExists<T>(path: string, watcher?: Watcher): Promise<NodeData<T> | undefined> {
    try {
      return await this.getData<T>(path, watcher);
    } catch (err) {
      if (isNodeError(err, 'NO_NODE')) return undefined;
      throw err;
    }
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.#call<string[]>('getChildren', path, (c, done) => {
      const callback = (err: unknown, children: string[]) => done(err, children);
      if (watcher) c.getChildren(path, watcher, callback);
      else c.getChildren(path, callback);
    });
  }

  /** Whether the node exists; the watcher (if any) fires when it is created, changed or deleted. */
  async exists(path: string, watcher?: Watcher): Promise<boolean> {
    const stat = await this.#call<Stat | null>('exists', path, (c, done) => {
      const callback = (err: unknown, st: Stat) => done(err, st);
      if (watcher) c.exists(path, watcher, callback);
      else c.exists(path, callback);
    });
    return stat !== null && stat !== undefined;
  }

  async setData(path: string, data: unknown, version = -1): Promise<void> {
    await this.#call<void>('setData', path, (c, done) => c.setData(path, encode(data), version, (err) => done(err)));
  }

  async remove(path: string, version = -1): Promise<void> {
    await this.#call<void>('remove', path, (c, done) => c.remove(path, version, (err) => done(err)));
  }

  /** Applies all operations or none. */
  async transaction(ops: TransactionOp[]): Promise<void> {
    const path = ops.map((o) => o.path).join(', ');
    await this.#call<void>('transaction', path, (c, done) => {
      const tx = c.transaction();
      for (const o of ops) {
        if (o.op === 'create') tx.create(o.path, encode(o.data), o.ephemeral ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT);
        else if (o.op === 'setData') exactVersion(tx.setData(o.path, encode(o.data), o.version), o.version);
        else exactVersion(tx.remove(o.path, o.version ?? -1), o.version ?? -1);
      }
      tx.commit((err) => done(err));
    });
  }
}

/** The library's connection manager: the socket, and the steps of its connect loop. */
interface ConnectionManager {
  socket?: { destroy(): void; removeAllListeners(): void; on(event: 'error', listener: () => void): void };
  connect(): void;
  setState(state: number): void;
  onSocketData(data: Buffer): void;
  onSocketConnected(): void;
}

const connectionManager = (client: Client) => (client as unknown as { connectionManager: ConnectionManager }).connectionManager;

/**
 * Stops a client that is not connected, for good. Its close() is not enough: close() sends a close request
 * and stops reconnecting only once the socket closes, while a reconnect it had already scheduled still
 * opens a socket, whose handshake answer it then reads as a reply and throws on, outside any request (an
 * uncaught exception). So every later step of its connect loop is made to do nothing, and the socket goes.
 */
function discard(client: Client): void {
  client.removeAllListeners();
  const manager = connectionManager(client);
  manager.connect = () => {};
  manager.setState = () => {};
  manager.onSocketData = () => {};
  manager.onSocketConnected = function (this: ConnectionManager) {
    this.socket?.destroy();
  };
  manager.socket?.removeAllListeners();
  manager.socket?.on('error', () => {});
  manager.socket?.destroy();
}

/**
 * node-zookeeper-client's Transaction turns version 0 into -1 ("any version": `version || -1`), so a
 * conditional setData or remove of a node never changed since creation would not be conditional at all (two
 * controllers could win the same epoch). Put the version the caller asked for back on the op just added.
 */
function exactVersion(tx: Transaction, version: number): void {
  const ops = (tx as unknown as { ops: Array<{ version: number }> }).ops;
  ops[ops.length - 1]!.version = version;
}

function encode(data: unknown): Buffer {
  return Buffer.from(JSON.stringify(data), 'utf8');
}
