// The controller: one broker at a time, elected through the ephemeral node /controller, runs the background
// duties that must not run twice at once:
//   - reclaiming the Redis storage of deleted topics (listed under /deleted-topics until done);
//   - retention: dropping whole segments whose records are older than the topic's retention.ms.
// Every other broker watches /controller and stands for election when it disappears.
//
// Redis keys touched, per partition (core/keys.ts): trib:{<topicId>:<p>}:state, :segments, :seg:<base>.
import type { Redis } from 'ioredis';
import {
  isNodeError,
  partitionKeys,
  readPartitionOffsets,
  segmentBase,
  segmentBases,
  type Config,
  type Logger,
  type Topic,
  type TopicCache,
  type ZooKeeper,
  type ZooKeeperPaths,
} from '@tributary/core';
import type { DeletedTopicNode } from './topic-admin.js';

/** Segment lists handed to one script call: bounds how long a single call holds Redis. */
const SEGMENTS_PER_CALL = 100;
/** How long a deleted partition's state stays as a tombstone, refusing writers with stale metadata. */
const TOMBSTONE_TTL_SECONDS = 24 * 60 * 60;

export interface ControllerDeps {
  config: Config;
  redis: Redis;
  zk: ZooKeeper;
  paths: ZooKeeperPaths;
  topics: TopicCache;
  log: Logger;
}

export interface ControllerNode {
  instanceId: string;
  electedAt: string;
}

export class Controller {
  #active = false;
  #stopped = false;
  #retentionTimer: NodeJS.Timeout | undefined;
  readonly #reclaiming = new Set<string>();

  constructor(private readonly deps: ControllerDeps) {}

  get active(): boolean {
    return this.#active;
  }

  async start(): Promise<void> {
    this.deps.zk.on('session', this.#onSession);
    await this.#elect();
  }

  stop(): void {
    this.#stopped = true;
    this.#active = false;
    clearTimeout(this.#retentionTimer);
    this.deps.zk.off('session', this.#onSession);
  }

  /** Our ephemeral /controller node died with the old session: stand for election again. */
  #onSession = () => {
    this.#active = false;
    clearTimeout(this.#retentionTimer);
    void this.#elect();
  };

  #elect = async (): Promise<void> => {
    const { zk, paths, config, log } = this.deps;
    if (this.#stopped || this.#active) return;
    try {
      const node: ControllerNode = { instanceId: config.instanceId, electedAt: new Date().toISOString() };
      await zk.create(paths.controller, node, { ephemeral: true });
    } catch (err) {
      if (isNodeError(err, 'NODE_EXISTS')) {
        // Someone else leads; stand again when their node goes. If it went already, try at once.
        const exists = await zk.exists(paths.controller, () => void this.#elect()).catch(() => true);
        if (!exists) return this.#elect();
        return;
      }
      log.warn({ err }, 'controller election failed; retrying in 1 s');
      setTimeout(() => void this.#elect(), 1_000).unref();
      return;
    }
    this.#active = true;
    log.info({ instanceId: config.instanceId }, 'this broker is the controller');
    void this.#watchDeletedTopics();
    this.#scheduleRetention(0);
  };

  // ---- reclaiming deleted topics ----

  #watchDeletedTopics = async (): Promise<void> => {
    if (!this.#active) return;
    const { zk, paths, log } = this.deps;
    try {
      const ids = await zk.getChildren(paths.deletedTopics, () => void this.#watchDeletedTopics());
      for (const id of ids) {
        if (this.#reclaiming.has(id)) continue;
        this.#reclaiming.add(id);
        this.#reclaim(id)
          .catch((err: unknown) => log.warn({ err, topicId: id }, 'reclaiming a deleted topic failed; will retry'))
          .finally(() => this.#reclaiming.delete(id));
      }
    } catch (err) {
      log.warn({ err }, 'cannot list deleted topics; retrying in 1 s');
      setTimeout(() => void this.#watchDeletedTopics(), 1_000).unref();
    }
  };

  async #reclaim(topicId: string): Promise<void> {
    const { zk, paths, redis, log } = this.deps;
    const node = await zk.getDataIfExists<DeletedTopicNode>(paths.deletedTopic(topicId));
    if (!node) return;
    const topic: Topic = { ...node.value, id: topicId };
    const S = topic.config.segmentRecords;
    for (const { partition, logStartOffset, nextOffset } of await readPartitionOffsets(redis, topic)) {
      const keys = partitionKeys({ topicId, partition });
      const bases = segmentBases(logStartOffset, nextOffset, S);
      do {
        const chunk = bases.splice(0, SEGMENTS_PER_CALL);
        const last = bases.length === 0 ? 1 : 0;
        await redis.reclaimPartition(2 + chunk.length, keys.state, keys.segments, chunk.map(keys.segment), last, TOMBSTONE_TTL_SECONDS);
      } while (bases.length > 0);
    }
    await zk.remove(paths.deletedTopic(topicId));
    log.info({ topic: node.value.name, topicId }, 'reclaimed the storage of a deleted topic');
  }

  // ---- retention ----

  #scheduleRetention(delayMs: number): void {
    clearTimeout(this.#retentionTimer);
    this.#retentionTimer = setTimeout(async () => {
      if (!this.#active) return;
      try {
        await this.#applyRetention();
      } catch (err) {
        this.deps.log.warn({ err }, 'retention pass failed');
      }
      this.#scheduleRetention(this.deps.config.retentionCheckMs);
    }, delayMs);
    this.#retentionTimer.unref();
  }

  async #applyRetention(): Promise<void> {
    const { redis, topics } = this.deps;
    // Record timestamps come from Redis' clock (appendRecords.lua), so the cutoff does too.
    const [seconds, micros] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    for (const topic of topics.list()) {
      if (topic.config.retentionMs < 0) continue;
      const cutoff = now - topic.config.retentionMs;
      const S = topic.config.segmentRecords;
      for (const { partition, logStartOffset, nextOffset, deleted } of await readPartitionOffsets(redis, topic)) {
        if (deleted) continue;
        const keys = partitionKeys({ topicId: topic.id, partition });
        // Only full segments may go: the active one (holding nextOffset) always stays.
        let start = logStartOffset;
        const active = segmentBase(nextOffset, S);
        while (start < active) {
          const chunk = segmentBases(start, Math.min(active, start + SEGMENTS_PER_CALL * S), S);
          const newStart = await redis.applyRetention(2 + chunk.length, keys.state, keys.segments, chunk.map(keys.segment), S, cutoff, chunk[0]!);
          if (newStart < 0 || newStart < chunk[chunk.length - 1]! + S) break;
          start = newStart;
        }
      }
    }
  }
}
