// The Kafka wire protocol, as far as Tributary speaks it: written from the public protocol specification.
export * from './apis.js';
export * from './crc32c.js';
export * from './error-codes.js';
export * from './messages/cluster.js';
export * from './messages/groups.js';
export * from './messages/log.js';
export * from './messages/sasl.js';
export * from './record-batch.js';
export * from './schema.js';
export * from './wire.js';
