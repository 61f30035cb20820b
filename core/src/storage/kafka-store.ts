// What the Kafka listener (broker/src/kafka) keeps in Redis beyond the partition logs: producer ids for
// idempotent producers. Record appends go through LogStore like every other write.
//
// Redis keys (core/keys.ts):
//   trib:{cluster}:kafka-producer-ids   string  the last producer id handed out
import { clusterKeys } from '../keys.js';
import { redisCall, type RedisClient } from './connection.js';

export class KafkaStore {
  constructor(readonly redis: RedisClient) {}

  /**
   * A producer id no producer has had before (InitProducerId). Ids come from one counter, so every broker
   * hands out distinct ones; a producer's sequence numbers become record ids under its id (see
   * broker/src/kafka/produce.ts), which the partition's dedup state checks.
   */
  async nextProducerId(): Promise<number> {
    return redisCall(this.redis.incr(clusterKeys.kafkaProducerIds), { write: true });
  }
}
