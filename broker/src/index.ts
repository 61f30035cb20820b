export { buildBrokerApp, type BrokerDeps } from './app.js';
export { createBroker, type Broker } from './broker.js';
export { TopicAdmin, type TopicAdminDeps, type TopicDescription } from './topic-admin.js';
export { isStored, PartitionWriter, type FailedResult, type StoredResult, type WriteResult } from './write.js';
