// In-process copies of ZooKeeper nodes, kept current by watches so that requests never wait on ZooKeeper:
// the children of one path with each child's data (topics, registered brokers), and a single node (the
// controller).
//
// A watch fires once and may hide changes made before it is re-armed, so every event re-reads what it is
// about, and the read re-arms the watch. A cache forgets an entry only when ZooKeeper says it is gone: the
// parent no longer lists it, or reading it answers NO_NODE. A session expiry is not a deletion: entries stay
// and answer requests while the new session re-reads every node and re-arms every watch. Reads run one pass
// at a time, so an older answer never overwrites a newer one; a failed pass keeps its work and retries.
import type { Logger } from './logger.js';
import type { Watcher, ZooKeeper } from './zookeeper.js';

const RETRY_MS = 1_000;

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** Runs read passes one at a time; work asked for while a pass runs is merged into the next pass. */
abstract class WatchedCache<Work> {
  #pending: Work | undefined;
  #waiters: Waiter[] = [];
  #draining = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #loaded = false;

  constructor(
    protected readonly zk: ZooKeeper,
    protected readonly log: Logger,
    /** For logs. */
    protected readonly path: string,
  ) {}

  /** One complete read has succeeded: from then on the cache answers, even while ZooKeeper is away. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Reads everything and arms the watches; resolves once the cache is complete. */
  async start(): Promise<void> {
    this.zk.on('session', this.#onSession);
    try {
      await this.request(this.everything());
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.zk.off('session', this.#onSession);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(new Error(`the cache of ${this.path} was stopped`));
  }

  /** The work that reads every node and arms every watch. */
  protected abstract everything(): Work;
  protected abstract merge(a: Work, b: Work): Work;
  /** One pass: reads what `work` names, re-arming its watches, and applies the answers. */
  protected abstract read(work: Work): Promise<void>;

  /** Resolves after a pass that started after this call has done `work`; rejects if that pass failed. */
  protected request(work: Work): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.schedule(work);
    return done;
  }

  /** For watchers, which nobody awaits: a failed pass is logged and retried. */
  protected schedule(work: Work): void {
    if (this.#stopped) return;
    this.#pending = this.#pending === undefined ? work : this.merge(this.#pending, work);
    void this.#drain();
  }

  /** A new session lost every watch: read everything again. The entries stay meanwhile. */
  #onSession = () => this.schedule(this.everything());

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    clearTimeout(this.#retryTimer);
    while (this.#pending !== undefined && !this.#stopped) {
      const work = this.#pending;
      const waiters = this.#waiters;
      this.#pending = undefined;
      this.#waiters = [];
      try {
        await this.read(work);
      } catch (err) {
        this.#pending = this.#pending === undefined ? work : this.merge(work, this.#pending);
        for (const waiter of waiters) waiter.reject(err);
        this.log.warn({ err, path: this.path }, 'reading ZooKeeper into a cache failed; retrying in 1 s');
        this.#retryTimer = setTimeout(() => void this.#drain(), RETRY_MS);
        this.#retryTimer.unref();
        break;
      }
      this.#loaded = true;
      for (const waiter of waiters) waiter.resolve();
    }
    this.#draining = false;
  }
}

interface ChildrenWork {
  /** Re-read the list of children (and read the data of names not known yet). */
  readonly list: boolean;
  /** Re-read every child's data too. */
  readonly every: boolean;
  /** Re-read these children's data. */
  readonly nodes: ReadonlySet<string>;
}

const listWork: ChildrenWork = { list: true, every: false, nodes: new Set() };

/** The children of one path, each with its data decoded. */
export class ChildrenCache<V, Data = unknown> extends WatchedCache<ChildrenWork> {
  readonly #entries = new Map<string, V>();
  /** One watcher per child, so re-reading a node never stacks another listener on its watch. */
  readonly #watchers = new Map<string, Watcher>();
  readonly #listeners = new Set<() => void>();

  constructor(
    zk: ZooKeeper,
    log: Logger,
    parent: string,
    private readonly childPath: (name: string) => string,
    private readonly decode: (name: string, data: Data) => V,
  ) {
    super(zk, log, parent);
  }

  override async start(): Promise<void> {
    await this.zk.mkdirp(this.path);
    await super.start();
  }

  get(name: string): V | undefined {
    return this.#entries.get(name);
  }

  values(): V[] {
    return [...this.#entries.values()];
  }

  /** Calls `listener` after every read pass that added, changed or removed entries; answers its removal. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Re-reads the list of children. Resolves after a read that started after this call, so a caller that
   * just changed ZooKeeper sees its change; concurrent callers share reads.
   */
  refresh(): Promise<void> {
    return this.request(listWork);
  }

  protected everything(): ChildrenWork {
    return { list: true, every: true, nodes: new Set() };
  }

  protected merge(a: ChildrenWork, b: ChildrenWork): ChildrenWork {
    return { list: a.list || b.list, every: a.every || b.every, nodes: new Set([...a.nodes, ...b.nodes]) };
  }

  protected async read({ list, every, nodes }: ChildrenWork): Promise<void> {
    const names = new Set(nodes);
    let changed = false;
    if (list || every) {
      const listed = new Set(await this.zk.getChildren(this.path, this.#onListChanged));
      for (const name of this.#entries.keys()) {
        if (!listed.has(name)) changed = this.#forget(name);
      }
      for (const name of names) {
        if (!listed.has(name)) names.delete(name);
      }
      // A child already known is re-read when its own watch fires: re-reading all on every list change
      // would cost O(children) per change.
      for (const name of listed) {
        if (every || !this.#entries.has(name)) names.add(name);
      }
    }
    const ordered = [...names];
    const read = await Promise.all(ordered.map((name) => this.zk.getDataIfExists<Data>(this.childPath(name), this.#watcher(name))));
    ordered.forEach((name, i) => {
      const node = read[i];
      if (node) this.#entries.set(name, this.decode(name, node.value));
      else this.#forget(name);
      changed = true;
    });
    if (changed) for (const listener of this.#listeners) listener();
  }

  #forget(name: string): true {
    this.#entries.delete(name);
    this.#watchers.delete(name);
    return true;
  }

  #onListChanged: Watcher = () => this.schedule(listWork);

  #watcher(name: string): Watcher {
    let watcher = this.#watchers.get(name);
    if (!watcher) {
      watcher = () => this.schedule({ list: false, every: false, nodes: new Set([name]) });
      this.#watchers.set(name, watcher);
    }
    return watcher;
  }
}

/** One node's data, decoded; undefined while the node does not exist. */
export class NodeCache<V, Data = unknown> extends WatchedCache<true> {
  #value: V | undefined;

  constructor(
    zk: ZooKeeper,
    log: Logger,
    path: string,
    private readonly decode: (data: Data) => V,
  ) {
    super(zk, log, path);
  }

  get value(): V | undefined {
    return this.#value;
  }

  protected everything(): true {
    return true;
  }

  protected merge(): true {
    return true;
  }

  protected async read(): Promise<void> {
    for (;;) {
      const node = await this.zk.getDataIfExists<Data>(this.path, this.#onChanged);
      if (node) {
        this.#value = this.decode(node.value);
        return;
      }
      // Reading a missing node arms no watch; exists() does, and fires when the node is created. If it was
      // created in between, read it again.
      if (!(await this.zk.exists(this.path, this.#onChanged))) {
        this.#value = undefined;
        return;
      }
    }
  }

  #onChanged: Watcher = () => this.schedule(true);
}
