// Topic metadata: what a topic is, the rules for its name and config, and the in-process cache that keeps
// every broker and gateway in step with ZooKeeper without a round trip per request (DESIGN.md I5).
import type { ZooKeeperPaths } from './keys.js';
import type { Logger } from './logger.js';
import type { Watcher, ZooKeeper } from './zookeeper.js';

export interface TopicConfig {
  /** Records older than this (append time) are dropped a segment at a time; -1 keeps them forever. */
  readonly retentionMs: number;
  /** Largest record accepted: its stored payload (key, value and headers as JSON), in bytes. */
  readonly maxRecordBytes: number;
  /** Records per Redis list; fixed for the topic's life because it decides where every offset lives. */
  readonly segmentRecords: number;
  /**
   * How long a record id is remembered: a second write of the id within it is not appended again (0: ids
   * are not checked). Topics made before ids existed have none stored: the default applies.
   */
  readonly dedupWindowMs?: number;
}

export interface Topic {
  readonly name: string;
  /** A uuid made at creation: storage keys use it, so a re-created topic never sees old records (I4). */
  readonly id: string;
  readonly partitions: number;
  readonly config: TopicConfig;
  readonly createdAt: number;
}

/** As stored at /topics/<name>. */
export type TopicNode = Omit<Topic, 'name'>;

/** Apache Kafka's topic-name rules. */
export const TOPIC_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,249}$';
const topicNamePattern = new RegExp(TOPIC_NAME_PATTERN);

/** Why `name` is not a valid topic name, or undefined if it is. */
export function topicNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (!topicNamePattern.test(name)) {
    return name.length === 0 || name.length > 249
      ? `topic name must be 1 to 249 characters, got ${name.length}`
      : `topic name "${name}" may contain only ASCII letters, digits, '.', '_' and '-'`;
  }
  return undefined;
}

/**
 * Keeps every topic in memory, refreshed from ZooKeeper watches. Watches fire once and may hide
 * intermediate changes, so every event re-reads the state and re-arms the watch; a failed refresh retries.
 */
export class TopicCache {
  #topics = new Map<string, Topic>();
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly zk: ZooKeeper,
    private readonly paths: ZooKeeperPaths,
    private readonly log: Logger,
  ) {}

  /** Loads every topic; resolves once the cache is complete. */
  async start(): Promise<void> {
    await this.zk.mkdirp(this.paths.topics);
    this.zk.on('session', this.#onSession);
    await this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.zk.off('session', this.#onSession);
  }

  get(name: string): Topic | undefined {
    return this.#topics.get(name);
  }

  list(): Topic[] {
    return [...this.#topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Re-reads the topic list. Resolves after a read that started after this call, so a caller that just
   * changed ZooKeeper sees its change; concurrent callers share reads.
   */
  refresh(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#load()
        .catch((err: unknown) => {
          this.log.warn({ err }, 'topic metadata refresh failed; retrying in 1 s');
          clearTimeout(this.#retryTimer);
          this.#retryTimer = setTimeout(() => void this.refresh().catch(() => {}), 1_000);
          throw err;
        })
        .finally(() => {
          this.#running = undefined;
        });
      return this.#running;
    }
    this.#queued ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined;
        return this.refresh();
      });
    return this.#queued;
  }

  /** A new session lost every watch: reload from scratch. */
  #onSession = () => {
    this.#topics.clear();
    void this.refresh().catch(() => {});
  };

  #onEvent: Watcher = () => {
    if (!this.#stopped) void this.refresh().catch(() => {});
  };

  async #load(): Promise<void> {
    if (this.#stopped) return;
    const names = await this.zk.getChildren(this.paths.topics, this.#onEvent);
    const present = new Set(names);
    for (const name of this.#topics.keys()) if (!present.has(name)) this.#topics.delete(name);
    // A name seen before may have been deleted and re-created between two events: the data watch on each
    // topic node (set below) reports that, and re-reading every node on each refresh would cost O(topics).
    const fresh = names.filter((name) => !this.#topics.has(name));
    const nodes = await Promise.all(
      fresh.map((name) => this.zk.getDataIfExists<TopicNode>(this.paths.topic(name), this.#onTopicEvent(name))),
    );
    fresh.forEach((name, i) => {
      const node = nodes[i];
      if (node) this.#topics.set(name, Object.freeze({ name, ...node.value }));
    });
  }

  #onTopicEvent(name: string): Watcher {
    return () => {
      // Deleted or changed: forget it and let the refresh read it again if it (still) exists.
      this.#topics.delete(name);
      if (!this.#stopped) void this.refresh().catch(() => {});
    };
  }
}
