// The long-poll waiters moved to core (core/src/storage/append-waiters.ts) so the broker's Kafka Fetch waits
// the same way; the gateway's modules keep importing them from here.
export { AppendWaiters, Waiter } from '@tributary/core';
