// Creating, deleting and describing topics. These are admin operations: unlike writes, they may go to
// ZooKeeper, which is the authority on which topics exist.
//
// Create: partition logs are initialised in Redis first, then /topics/<name> is created in ZooKeeper. A
// broker that learns of the topic from its watch can therefore always write to it.
// Delete: partitions are marked deleted in Redis first (writes and reads refused at once, docs/invariants.md I4), then
// /topics/<name> is swapped for /deleted-topics/<id> in one ZooKeeper transaction; the controller reclaims
// the storage from there.
import { randomUUID } from 'node:crypto';
import {
  isNodeError,
  topicConfigDefaults,
  topicNameProblem,
  topicNotFound,
  TributaryError,
  type Config,
  type LogStore,
  type PartitionDescription,
  type TopicAlterBody,
  type TopicAlterResult,
  type TopicConfigBody,
  type TopicDeleted,
  type TopicDescription,
  type PartitionOffsets,
  type Topic,
  type TopicCache,
  type TopicConfig,
  type TopicNode,
  type ZooKeeper,
  type ZooKeeperPaths,
} from '@tributary/core';

/** Topic config as clients send it (snake_case, all optional). */
export type TopicConfigInput = TopicConfigBody;

/** A change to a topic (PATCH /topics/:topic): config fields, and the partition count, only upwards. */
export type TopicAlterInput = TopicAlterBody;

/** Version-checked updates tried before giving up when other alters keep landing first. */
const ALTER_ATTEMPTS = 10;

/** Ids are remembered at most this long: their state lives in Redis memory. */
const MAX_DEDUP_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export type { PartitionDescription, TopicAlterResult, TopicDescription };

/** As stored under /deleted-topics/<id>, for the controller. */
export interface DeletedTopicNode extends TopicNode {
  name: string;
  deletedAt: number;
  /** Set by the controller once the storage is freed; the node goes an hour later. */
  reclaimedAt?: number;
}

export interface TopicAdminDeps {
  config: Config;
  logs: LogStore;
  zk: ZooKeeper;
  paths: ZooKeeperPaths;
  topics: TopicCache;
}

export class TopicAdmin {
  constructor(private readonly deps: TopicAdminDeps) {}

  /** `asGiven` is the partition count as the client wrote it, for the error message. */
  async create(name: string, partitions: number, input: TopicConfigInput = {}, asGiven: unknown = partitions): Promise<TopicDescription> {
    const { logs, zk, paths, topics } = this.deps;
    this.#checkName(name);
    this.#checkPartitions(partitions, asGiven);
    const config = this.#topicConfig(input, name);
    // ZooKeeper says whether the name is taken, not this broker's cache: the cache may not have heard yet of
    // a delete made through another broker, and a 409 must be true.
    if (await zk.exists(paths.topic(name))) throw this.#exists(name);

    const node: TopicNode = { id: randomUUID(), partitions, config, createdAt: Date.now() };
    const topic: Topic = { name, ...node };
    await logs.createPartitions(topic);
    try {
      await zk.create(paths.topic(name), node);
    } catch (err) {
      // Nothing refers to the logs we just made: remove them.
      await logs.removePartitions(topic).catch(() => {});
      if (isNodeError(err, 'NODE_EXISTS')) throw this.#exists(name);
      throw err;
    }
    await this.#refresh(topics);
    return describe(topic, emptyOffsets(partitions));
  }

  async delete(name: string): Promise<TopicDeleted> {
    const { logs, zk, paths, topics } = this.deps;
    this.#checkName(name);
    const current = await zk.getDataIfExists<TopicNode>(paths.topic(name));
    if (!current) throw topicNotFound(name);
    const topic: Topic = { name, ...current.value };

    await logs.markDeleted(topic);
    const tombstone: DeletedTopicNode = { ...current.value, name, deletedAt: Date.now() };
    try {
      await zk.transaction([
        { op: 'remove', path: paths.topic(name), version: current.version },
        { op: 'create', path: paths.deletedTopic(topic.id), data: tombstone },
      ]);
    } catch (err) {
      // Someone else deleted this id meanwhile: the topic node is gone or is a re-created topic (NO_NODE,
      // BAD_VERSION), or it is at version 0 again but /deleted-topics/<id> already names our id (NODE_EXISTS).
      // Either way the marks we set touched only this id's partitions (I4).
      if (isNodeError(err, 'NO_NODE') || isNodeError(err, 'BAD_VERSION') || isNodeError(err, 'NODE_EXISTS')) {
        throw topicNotFound(name);
      }
      throw err;
    }
    await this.#refresh(topics);
    return { name, id: topic.id, deleted: true };
  }

  /**
   * Alter: new partitions are created in Redis first (idempotent: an existing partition is left untouched),
   * then /topics/<name> is set with a version check, so a concurrent alter or a delete is never overwritten:
   * on a version clash the change is applied again to what is there now. Every broker's cache picks the new
   * node up from its watch.
   */
  async alter(name: string, input: TopicAlterInput): Promise<TopicAlterResult> {
    const { logs, zk, paths, topics } = this.deps;
    this.#checkName(name);
    for (let attempt = 1; ; attempt++) {
      const current = await zk.getDataIfExists<TopicNode>(paths.topic(name));
      if (!current) throw topicNotFound(name);
      const node = current.value;
      const config: TopicConfig = {
        ...this.#topicConfig({
          retention_ms: input.retention_ms ?? node.config.retentionMs,
          max_record_bytes: input.max_record_bytes ?? node.config.maxRecordBytes,
          dedup_window_ms: input.dedup_window_ms ?? node.config.dedupWindowMs,
          ...(input.dead_letter_topic !== undefined
            ? { dead_letter_topic: input.dead_letter_topic }
            : node.config.deadLetterTopic !== undefined
              ? { dead_letter_topic: node.config.deadLetterTopic }
              : {}),
        }, name),
        segmentRecords: node.config.segmentRecords,
      };
      const partitions = input.partitions ?? node.partitions;
      this.#checkPartitions(partitions, partitions);
      if (partitions < node.partitions) {
        throw new TributaryError(
          'INVALID_PARTITION_COUNT',
          `topic "${name}" has ${node.partitions} partitions: the count can only grow (records cannot be moved out of a partition)`,
          { topic: name },
        );
      }
      const next: TopicNode = { ...node, partitions, config };
      if (partitions > node.partitions) await logs.createPartitions({ id: node.id, partitions });
      try {
        await zk.setData(paths.topic(name), next, current.version);
      } catch (err) {
        if (isNodeError(err, 'NO_NODE')) throw topicNotFound(name);
        if (isNodeError(err, 'BAD_VERSION') && attempt < ALTER_ATTEMPTS) continue;
        throw err;
      }
      await this.#refresh(topics);
      const topic: Topic = { name, ...next };
      const description = describe(topic, await logs.allOffsets(topic));
      if (partitions === node.partitions) return description;
      return {
        ...description,
        warnings: [
          `topic "${name}" grew from ${node.partitions} to ${partitions} partitions: records with a key may now go to a different ` +
            'partition than the same key’s earlier records, so per-key order holds only from here on',
        ],
      };
    }
  }

  async describe(name: string): Promise<TopicDescription> {
    const topic = this.deps.topics.get(name);
    if (!topic) throw topicNotFound(name);
    return describe(topic, await this.deps.logs.allOffsets(topic));
  }

  async list(): Promise<TopicDescription[]> {
    const all = this.deps.topics.list();
    const offsets = await Promise.all(all.map((topic) => this.deps.logs.allOffsets(topic)));
    return all.map((topic, i) => describe(topic, offsets[i]!));
  }

  /**
   * Lets this broker's cache see the change before answering. The change is made whatever happens here: if
   * the read fails, the cache retries by itself, and the answer still tells what was done.
   */
  async #refresh(topics: TopicCache): Promise<void> {
    await topics.refresh().catch(() => {});
  }

  #checkName(name: string): void {
    const problem = topicNameProblem(name);
    if (problem) throw new TributaryError('INVALID_TOPIC_NAME', problem);
  }

  #checkPartitions(partitions: number, asGiven: unknown): void {
    const max = this.deps.config.maxPartitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > max) {
      throw new TributaryError('INVALID_PARTITION_COUNT', `num_partitions must be an integer from 1 to ${max}, got "${asGiven}"`);
    }
  }

  #topicConfig(input: TopicConfigInput, topic: string): TopicConfig {
    const retentionMs = input.retention_ms ?? topicConfigDefaults.retentionMs;
    const maxRecordBytes = input.max_record_bytes ?? topicConfigDefaults.maxRecordBytes;
    if (!Number.isInteger(retentionMs) || (retentionMs < 1 && retentionMs !== -1)) {
      throw new TributaryError('INVALID_TOPIC_CONFIG', `retention_ms must be a positive integer, or -1 to keep records forever`);
    }
    const bodyLimit = this.deps.config.maxBodyBytes;
    if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1 || maxRecordBytes > bodyLimit) {
      throw new TributaryError(
        'INVALID_TOPIC_CONFIG',
        `max_record_bytes must be an integer from 1 to ${bodyLimit} (the broker's request body limit)`,
      );
    }
    const dedupWindowMs = input.dedup_window_ms ?? topicConfigDefaults.dedupWindowMs;
    if (!Number.isInteger(dedupWindowMs) || dedupWindowMs < 0 || dedupWindowMs > MAX_DEDUP_WINDOW_MS) {
      throw new TributaryError(
        'INVALID_TOPIC_CONFIG',
        `dedup_window_ms must be an integer from 0 (ids not checked) to ${MAX_DEDUP_WINDOW_MS} (7 days)`,
      );
    }
    const deadLetters = input.dead_letter_topic;
    if (typeof deadLetters === 'string') {
      const problem = topicNameProblem(deadLetters);
      if (problem) throw new TributaryError('INVALID_TOPIC_CONFIG', `dead_letter_topic: ${problem}`);
      if (deadLetters === topic) throw new TributaryError('INVALID_TOPIC_CONFIG', 'dead_letter_topic names the topic itself: a failed record would come back to the group that failed it');
    }
    return {
      retentionMs,
      maxRecordBytes,
      segmentRecords: topicConfigDefaults.segmentRecords,
      dedupWindowMs,
      ...(deadLetters === undefined ? {} : { deadLetterTopic: deadLetters }),
    };
  }

  #exists(name: string): TributaryError {
    return new TributaryError('TOPIC_EXISTS', `topic "${name}" already exists`, { topic: name });
  }
}

function emptyOffsets(partitions: number): PartitionOffsets[] {
  return Array.from({ length: partitions }, (_, partition) => ({ partition, logStartOffset: 0, nextOffset: 0, deleted: false }));
}

function describe(topic: Topic, offsets: PartitionOffsets[]): TopicDescription {
  return {
    name: topic.name,
    id: topic.id,
    partition_count: topic.partitions,
    partitions: offsets.map(({ partition, logStartOffset, nextOffset }) => ({
      partition,
      log_start_offset: logStartOffset,
      next_offset: nextOffset,
      records: nextOffset - logStartOffset,
    })),
    config: {
      retention_ms: topic.config.retentionMs,
      max_record_bytes: topic.config.maxRecordBytes,
      segment_records: topic.config.segmentRecords,
      dedup_window_ms: topic.config.dedupWindowMs ?? topicConfigDefaults.dedupWindowMs,
      ...(topic.config.deadLetterTopic === undefined ? {} : { dead_letter_topic: topic.config.deadLetterTopic }),
    },
    created_at: new Date(topic.createdAt).toISOString(),
  };
}
