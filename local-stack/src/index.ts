export { freePort, isPortFree, startRedis, startZooKeeper, type RunningServer } from './servers.js';
