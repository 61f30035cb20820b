// Consumer groups in the gateway: one object per concern, built here from the gateway's connections, and
// served by the routes plugin (routes.ts).
import { PartitionWriter, TopicAdmin } from '@tributary/broker';
import { zooKeeperPaths, type Config, type Logger, type ServiceMetrics, type Storage, type TopicCache, type ZooKeeper } from '@tributary/core';
import type { AppendWaiters } from '../waiters.js';
import { GroupAdmin } from './admin.js';
import { GroupCommits } from './commits.js';
import { GroupFetcher } from './fetch.js';
import { GroupMembership } from './membership.js';
import { GroupNacks } from './nacks.js';
import type { Groups } from './routes.js';
import { GroupSweeper } from './sweep.js';

export interface GroupDeps {
  config: Config;
  storage: Storage;
  zk: ZooKeeper;
  topics: TopicCache;
  waiters: AppendWaiters;
  logger: Logger;
  /** Counts what groups deliver, and what they dead-letter, like the email reads and the broker's writes. */
  metrics?: ServiceMetrics;
}

export function createGroups({ config, storage, zk, topics, waiters, logger, metrics }: GroupDeps): Groups {
  const membership = new GroupMembership(storage.groups, topics);
  // Dead-letter topics are created by the gateway itself, with the broker's code on the same ZooKeeper and Redis.
  const topicAdmin = new TopicAdmin({ config, logs: storage.logs, zk, paths: zooKeeperPaths(config.zookeeperRoot), topics });
  return {
    membership,
    fetcher: new GroupFetcher(storage, membership, waiters, topics, metrics),
    commits: new GroupCommits(storage, topics),
    nacks: new GroupNacks(storage, topics, topicAdmin, new PartitionWriter(storage.logs, metrics), config),
    admin: new GroupAdmin(storage, topics, membership),
    sweeper: new GroupSweeper(storage.groups, logger),
  };
}

export { groupRoutes, type Groups } from './routes.js';
export { deadLetterHeaders } from './nacks.js';
export { SWEEP_INTERVAL_MS } from './sweep.js';
