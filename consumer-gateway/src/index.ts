export { buildGatewayApp, readLimits, type GatewayDeps } from './app.js';
export { TopicReader, type TopicReadRequest, type TopicReadResult } from './topic-read.js';
export { consumerEmail, EMAIL_PATTERN } from './email.js';
export { createGateway, type Gateway } from './gateway.js';
export { ConsumerOffsets, type SeekTarget } from './offsets.js';
export { PartitionReader, type ReadRequest, type ReadResult } from './read.js';
export { Subscriptions, type StartFrom, type SubscriptionDescription } from './subscriptions.js';
export { AppendWaiters, Waiter } from './waiters.js';
