// Topic metadata: what a topic is, the rules for its name and config, and the in-process cache that keeps
// every broker and gateway in step with ZooKeeper without a round trip per request (docs/invariants.md I5).
import { TributaryError } from './errors.js';
import type { ZooKeeperPaths } from './keys.js';
import type { Logger } from './logger.js';
import { ChildrenCache } from './node-cache.js';
import type { ZooKeeper } from './zookeeper.js';

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
  /**
   * Where a consumer group's records of this topic go once they have failed max_deliveries times, whichever
   * group failed them: a topic name, or null for nowhere (dropped). Absent: the group's own setting decides.
   */
  readonly deadLetterTopic?: string | null;
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

/** PARTITION_NOT_FOUND unless the topic has `partition`. */
export function checkPartition(topic: Topic, partition: number): void {
  if (partition >= topic.partitions) {
    throw new TributaryError(
      'PARTITION_NOT_FOUND',
      `topic "${topic.name}" has partitions 0 to ${topic.partitions - 1}, not ${partition}`,
      { topic: topic.name, partition },
    );
  }
}

/** Every topic, kept current by ZooKeeper watches (see node-cache.ts): requests never wait on ZooKeeper. */
export class TopicCache extends ChildrenCache<Topic, TopicNode> {
  constructor(zk: ZooKeeper, paths: ZooKeeperPaths, log: Logger) {
    super(zk, log, paths.topics, paths.topic, (name, node) => Object.freeze({ name, ...node }));
  }

  list(): Topic[] {
    return this.values().sort((a, b) => a.name.localeCompare(b.name));
  }
}
