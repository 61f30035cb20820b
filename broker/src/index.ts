export { buildBrokerApp, type BrokerDeps } from './app.js';
export { createBroker, type Broker } from './broker.js';
export { PartitionWriter, type WriteResult } from './write.js';
