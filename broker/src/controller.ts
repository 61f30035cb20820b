// The controller: one broker at a time, elected through the ephemeral node /controller, runs the background
// duties that must not run twice at once:
//   - reclaiming the Redis storage of deleted topics (listed under /deleted-topics until done);
//   - retention: dropping whole segments whose records are older than the topic's retention.ms.
// Every other broker watches /controller and stands for election when it disappears.
//
// Fencing. Winning an election bumps /controller-epoch in the same ZooKeeper transaction that creates
// /controller, so each controller holds a higher epoch than every one before it. Every duty carries the
// epoch into Redis, and a partition refuses work from an epoch lower than one it has already seen
// (STALE_CONTROLLER): a controller that was paused or cut off and still believes it leads cannot undo what
// its successor did. It also pauses on its own: while its ZooKeeper connection is down it does nothing, and
// when the connection returns it checks that /controller is still its own before resuming.
//
// Redis keys touched, per partition (through LogStore, core/keys.ts): trib:{<topicId>:<p>}:state, :segments,
// :seg:<base>. Reclaiming a topic also ends the consumers' subscriptions to it (ConsumerStore: the emails in
// trib:topic:{<topicId>}:emails) and drops what consumer groups stored about it (GroupStore).
import {
  isNodeError,
  isTributaryError,
  type Config,
  type ConnectionState,
  type ConsumerStore,
  type GroupStore,
  type Logger,
  type LogStore,
  type TopicCache,
  type ZooKeeper,
  type ZooKeeperPaths,
} from '@tributary/core';
import type { DeletedTopicNode } from './topic-admin.js';

/** A deleted topic's node stays this long after its storage is reclaimed (see keys.ts). */
const RECLAIMED_KEEP_MS = 60 * 60 * 1000;
const RETRY_MS = 1_000;

export interface ControllerDeps {
  config: Config;
  logs: LogStore;
  consumers: ConsumerStore;
  groups: GroupStore;
  zk: ZooKeeper;
  paths: ZooKeeperPaths;
  topics: TopicCache;
  log: Logger;
  /** Runs replays (replay.ts) while this broker is the active controller. */
  replays?: { start(): void; stop(): Promise<void> };
}

/** As stored at /controller. */
export interface ControllerNode {
  instanceId: string;
  epoch: number;
  electedAt: string;
}

interface EpochNode {
  epoch: number;
}

export class Controller {
  /** The epoch this broker won, while it holds /controller (as far as it knows). */
  #epoch: number | undefined;
  /** Holding the role and connected: duties may run. */
  #active = false;
  #stopped = false;
  #retentionTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #reclaiming = new Set<string>();

  constructor(private readonly deps: ControllerDeps) {}

  get active(): boolean {
    return this.#active;
  }

  get epoch(): number | undefined {
    return this.#epoch;
  }

  async start(): Promise<void> {
    this.deps.zk.on('session', this.#onSession);
    this.deps.zk.on('state', this.#onConnection);
    await this.#elect();
  }

  stop(): void {
    this.#stopped = true;
    this.#pause();
    this.#epoch = undefined;
    clearTimeout(this.#retryTimer);
    this.deps.zk.off('session', this.#onSession);
    this.deps.zk.off('state', this.#onConnection);
  }

  #pause(): void {
    this.#active = false;
    clearTimeout(this.#retentionTimer);
    void this.deps.replays?.stop();
  }

  #retry(what: () => Promise<void>): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void what(), RETRY_MS);
    this.#retryTimer.unref();
  }

  /** A new session: our ephemeral /controller node died with the old one. Stand for election again. */
  #onSession = () => {
    this.#pause();
    this.#epoch = undefined;
    void this.#elect();
  };

  /** Connection lost within a session: pause. Back: resume only if /controller is still ours. */
  #onConnection = (state: ConnectionState) => {
    if (state !== 'ready') {
      if (this.#active) this.deps.log.warn('ZooKeeper connection lost: controller duties paused');
      this.#pause();
      return;
    }
    if (this.#epoch !== undefined && !this.#active) void this.#confirm();
  };

  #confirm = async (): Promise<void> => {
    const { zk, paths, config, log } = this.deps;
    if (this.#stopped || this.#epoch === undefined || this.#active) return;
    try {
      const node = await zk.getDataIfExists<ControllerNode>(paths.controller);
      if (node?.value.instanceId === config.instanceId && node.value.epoch === this.#epoch) {
        log.info({ epoch: this.#epoch }, 'still the controller: duties resumed');
        this.#begin();
      } else {
        this.#epoch = undefined;
        void this.#elect();
      }
    } catch (err) {
      log.warn({ err }, 'cannot confirm the controller role; retrying');
      this.#retry(this.#confirm);
    }
  };

  #elect = async (): Promise<void> => {
    const { zk, paths, config, log } = this.deps;
    if (this.#stopped || this.#epoch !== undefined) return;
    let epoch: number;
    try {
      const current = await zk.getDataIfExists<EpochNode>(paths.controllerEpoch);
      epoch = (current?.value.epoch ?? 0) + 1;
      const node: ControllerNode = { instanceId: config.instanceId, epoch, electedAt: new Date().toISOString() };
      await zk.transaction([
        current
          ? { op: 'setData', path: paths.controllerEpoch, data: { epoch }, version: current.version }
          : { op: 'create', path: paths.controllerEpoch, data: { epoch } },
        { op: 'create', path: paths.controller, data: node, ephemeral: true },
      ]);
    } catch (err) {
      // Someone else leads (NODE_EXISTS), or won an election since we read the epoch (BAD_VERSION, NODE_EXISTS).
      if (isNodeError(err, 'NODE_EXISTS') || isNodeError(err, 'BAD_VERSION')) return this.#follow();
      log.warn({ err }, 'controller election failed; retrying in 1 s');
      return this.#retry(this.#elect);
    }
    this.#epoch = epoch;
    log.info({ instanceId: config.instanceId, epoch }, 'this broker is the controller');
    this.#begin();
  };

  /** Watches /controller and stands for election when it goes; a failed watch is retried, never given up. */
  #follow = async (): Promise<void> => {
    if (this.#stopped) return;
    try {
      const exists = await this.deps.zk.exists(this.deps.paths.controller, () => void this.#elect());
      if (!exists) await this.#elect();
    } catch (err) {
      this.deps.log.warn({ err }, 'cannot watch the controller; retrying in 1 s');
      this.#retry(this.#follow);
    }
  };

  #begin(): void {
    this.#active = true;
    void this.#watchDeletedTopics();
    this.#scheduleRetention(0);
    this.deps.replays?.start();
  }

  /**
   * Redis says a newer controller acted: step down and follow whoever leads now. If /controller still names
   * this broker, ZooKeeper and Redis disagree about who leads (this broker was cut off and its session has not
   * expired yet): give the node up, so that the next election produces an epoch Redis accepts.
   */
  #stepDown = async (): Promise<void> => {
    const { zk, paths, config, log } = this.deps;
    const epoch = this.#epoch;
    log.warn({ epoch }, 'a newer controller has acted; stepping down');
    this.#pause();
    this.#epoch = undefined;
    try {
      const node = await zk.getDataIfExists<ControllerNode>(paths.controller);
      if (node?.value.instanceId === config.instanceId && node.value.epoch === epoch) await zk.remove(paths.controller, node.version);
    } catch (err) {
      log.warn({ err }, 'cannot give up the controller node; it goes with this session');
    }
    await this.#follow();
  };

  #failed(err: unknown, what: string, context: Record<string, unknown> = {}): void {
    if (isTributaryError(err) && err.code === 'STALE_CONTROLLER') void this.#stepDown();
    else this.deps.log.warn({ err, ...context }, `${what} failed; will retry`);
  }

  // ---- reclaiming deleted topics ----

  #watchDeletedTopics = async (): Promise<void> => {
    if (!this.#active) return;
    const { zk, paths } = this.deps;
    try {
      const ids = await zk.getChildren(paths.deletedTopics, () => void this.#watchDeletedTopics());
      for (const id of ids) {
        if (this.#reclaiming.has(id)) continue;
        this.#reclaiming.add(id);
        this.#reclaim(id)
          .catch((err: unknown) => this.#failed(err, 'reclaiming a deleted topic', { topicId: id }))
          .finally(() => this.#reclaiming.delete(id));
      }
    } catch (err) {
      this.deps.log.warn({ err }, 'cannot list deleted topics; retrying in 1 s');
      this.#retry(this.#watchDeletedTopics);
    }
  };

  async #reclaim(topicId: string): Promise<void> {
    const { zk, paths, logs, log } = this.deps;
    const epoch = this.#epoch;
    const node = await zk.getDataIfExists<DeletedTopicNode>(paths.deletedTopic(topicId));
    if (!node || node.value.reclaimedAt !== undefined || !this.#active || epoch === undefined) return;
    await logs.reclaim({ ...node.value, id: topicId }, epoch);
    // Consumer state that names the topic: idempotent, so a reclaim retried after a crash does it again safely.
    await this.deps.consumers.forgetTopic({ id: topicId, name: node.value.name });
    await this.deps.groups.forgetTopic({ id: topicId, partitions: node.value.partitions });
    await zk.setData(paths.deletedTopic(topicId), { ...node.value, reclaimedAt: Date.now() }, node.version);
    log.info({ topic: node.value.name, topicId }, 'reclaimed the storage of a deleted topic');
  }

  /** Forgets deleted topics reclaimed long enough ago that no delete can still be acting on their id. */
  async #forgetReclaimed(): Promise<void> {
    const { zk, paths } = this.deps;
    for (const id of await zk.getChildren(paths.deletedTopics)) {
      const node = await zk.getDataIfExists<DeletedTopicNode>(paths.deletedTopic(id));
      const reclaimedAt = node?.value.reclaimedAt;
      if (node && reclaimedAt !== undefined && Date.now() - reclaimedAt > RECLAIMED_KEEP_MS) {
        await zk.remove(paths.deletedTopic(id), node.version).catch(() => {});
      }
    }
  }

  // ---- retention ----

  #scheduleRetention(delayMs: number): void {
    clearTimeout(this.#retentionTimer);
    this.#retentionTimer = setTimeout(async () => {
      if (!this.#active) return;
      try {
        await this.#applyRetention();
        await this.#forgetReclaimed();
      } catch (err) {
        this.#failed(err, 'retention pass');
      }
      if (this.#active) this.#scheduleRetention(this.deps.config.retentionCheckMs);
    }, delayMs);
    this.#retentionTimer.unref();
  }

  async #applyRetention(): Promise<void> {
    for (const topic of this.deps.topics.list()) {
      const epoch = this.#epoch;
      if (!this.#active || epoch === undefined) return;
      await this.deps.logs.applyRetention(topic, epoch);
      await this.deps.logs.expireRecordIds(topic);
    }
  }
}
