// The broker registry. Each broker holds an ephemeral node /brokers/ids/<instanceId> for as long as its
// ZooKeeper session lives, and heartbeats into Redis about every second. A killed broker's node stays until
// ZooKeeper times its session out (ZOOKEEPER_SESSION_TIMEOUT_MS), so liveness comes from the heartbeats: a
// broker is alive while its last one is recent.
//
// Every broker keeps watched copies of the registry and of /controller (core/src/node-cache.ts), and the
// heartbeats as of its own last beat, so describing the cluster reads neither ZooKeeper nor Redis.
//
// Redis key (core/src/keys.ts): trib:{cluster}:broker-heartbeats. Each beat, in one round trip: HSET of this
// broker's field (once it is registered), HDEL of fields silent for an hour, HGETALL.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChildrenCache,
  clusterKeys,
  execPipeline,
  isNodeError,
  NodeCache,
  type Config,
  type Logger,
  type RedisClient,
  type ZooKeeper,
  type ZooKeeperPaths,
} from '@tributary/core';
import type { ControllerNode } from './controller.js';

/** As stored at /brokers/ids/<instanceId>. */
export interface BrokerNode {
  host: string;
  port: number;
  startedAt: string;
  version: string;
}

/** A registered broker as /cluster shows it. */
export interface BrokerStatus {
  id: string;
  host: string;
  port: number;
  started_at: string;
  version: string;
  /** Its last heartbeat in Redis, or null if none was seen. */
  last_seen: string | null;
  alive: boolean;
}

export interface ControllerStatus {
  broker_id: string;
  epoch: number;
  elected_at: string;
}

// The version a broker reports in the registry is its package's.
export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const HEARTBEAT_MS = 1_000;
/** Alive while the last heartbeat is younger than three beats (brokers' clocks are assumed within a second). */
const ALIVE_WITHIN_MS = 3 * HEARTBEAT_MS;
/** A heartbeat field silent this long belongs to a broker that is gone; removed so the hash stays small. */
const FORGET_AFTER_MS = 60 * 60 * 1000;

export interface BrokerRegistryDeps {
  config: Config;
  zk: ZooKeeper;
  paths: ZooKeeperPaths;
  redis: RedisClient;
  log: Logger;
}

export class BrokerRegistry {
  readonly #brokers: ChildrenCache<BrokerNode & { id: string }, BrokerNode>;
  readonly #controller: NodeCache<ControllerStatus, ControllerNode>;
  /** Broker id -> last heartbeat (ms), as of this broker's last beat. */
  #heartbeats = new Map<string, number>();
  #node: BrokerNode | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;

  constructor(private readonly deps: BrokerRegistryDeps) {
    const { zk, paths, log } = deps;
    this.#brokers = new ChildrenCache(zk, log, paths.brokers, paths.broker, (id, node: BrokerNode) => ({ id, ...node }));
    this.#controller = new NodeCache(zk, log, paths.controller, (node: ControllerNode) => ({
      broker_id: node.instanceId,
      epoch: node.epoch,
      elected_at: node.electedAt,
    }));
  }

  /** Loads the copies of the registry and the controller node, and starts reading heartbeats. */
  async start(): Promise<void> {
    await Promise.all([this.#brokers.start(), this.#controller.start()]);
    this.#beatTimer = setInterval(() => void this.#beat(), HEARTBEAT_MS);
    this.#beatTimer.unref();
    await this.#beat();
  }

  /**
   * Registers this broker and starts its heartbeat. A node left by an earlier process with the same
   * INSTANCE_ID disappears when its session times out, so wait that long before giving up.
   */
  async register(host: string, port: number): Promise<void> {
    this.#node = { host, port, startedAt: new Date().toISOString(), version: VERSION };
    await this.#create(this.#node);
    this.deps.zk.on('session', this.#reregister);
    // A beat already under way may have left this broker out: beat again, so it is seen as alive at once.
    await this.#beating;
    await this.#beat();
  }

  /** Stops watching and beating; a registered broker also removes its heartbeat (its node goes with its session). */
  async stop(): Promise<void> {
    clearInterval(this.#beatTimer);
    this.#brokers.stop();
    this.#controller.stop();
    this.deps.zk.off('session', this.#reregister);
    if (this.#node) await this.deps.redis.hdel(clusterKeys.brokerHeartbeats, this.deps.config.instanceId).catch(() => {});
  }

  /** Every registered broker, by id, with its last heartbeat. */
  brokers(): BrokerStatus[] {
    const now = Date.now();
    return this.#brokers
      .values()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(({ id, host, port, startedAt, version }) => {
        const seen = this.#heartbeats.get(id);
        return {
          id,
          host,
          port,
          started_at: startedAt,
          version,
          last_seen: seen === undefined ? null : new Date(seen).toISOString(),
          alive: seen !== undefined && now - seen < ALIVE_WITHIN_MS,
        };
      });
  }

  controller(): ControllerStatus | null {
    return this.#controller.value ?? null;
  }

  async #create(node: BrokerNode): Promise<void> {
    const { config, zk, paths } = this.deps;
    const deadline = Date.now() + config.zookeeperSessionTimeoutMs + 2_000;
    for (;;) {
      try {
        await zk.create(paths.broker(config.instanceId), node, { ephemeral: true });
        return;
      } catch (err) {
        if (!isNodeError(err, 'NODE_EXISTS') || Date.now() > deadline) throw err;
        await sleep(500);
      }
    }
  }

  /** A new session after expiry: the old ephemeral node is gone. */
  #reregister = () => {
    if (this.#node) void this.#create(this.#node).catch(() => {});
  };

  /** One heartbeat at a time: a tick that finds one still waiting on Redis joins it. */
  #beat(): Promise<void> {
    this.#beating ??= this.#beatOnce().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  /** Failures are left to the next beat: /cluster reports Redis' state itself. */
  async #beatOnce(): Promise<void> {
    const key = clusterKeys.brokerHeartbeats;
    const now = Date.now();
    const pipeline = this.deps.redis.pipeline();
    if (this.#node) pipeline.hset(key, this.deps.config.instanceId, now);
    const forgotten = [...this.#heartbeats].filter(([, seen]) => now - seen > FORGET_AFTER_MS).map(([id]) => id);
    if (forgotten.length > 0) pipeline.hdel(key, ...forgotten);
    pipeline.hgetall(key);
    try {
      const replies = await execPipeline(pipeline, { write: true });
      const all = replies.at(-1) as Record<string, string>;
      this.#heartbeats = new Map(Object.entries(all).map(([id, seen]) => [id, Number(seen)]));
    } catch (err) {
      this.deps.log.debug({ err }, 'broker heartbeat failed');
    }
  }
}
