export {
  freePort,
  isPortFree,
  startRedis,
  startRedisCluster,
  startZooKeeper,
  startZooKeeperEnsemble,
  type RedisCluster,
  type RunningServer,
  type ServerNode,
  type ZooKeeperEnsemble,
} from './servers.js';
export { quickStart, runLocalStack, stopChild, type LocalStack, type StackOptions } from './stack.js';
