export { freePort, isPortFree, startRedis, startZooKeeper, type RunningServer } from './servers.js';
export { quickStart, runLocalStack, type LocalStack, type StackOptions } from './stack.js';
