// Tributary's errors as Kafka error codes: what a Kafka client is told when a request fails for a reason the
// HTTP side would answer with that code. Retriable stays retriable (Kafka clients retry REQUEST_TIMED_OUT,
// KAFKA_STORAGE_ERROR, NOT_ENOUGH_REPLICAS, COORDINATOR_NOT_AVAILABLE), so an unknown write outcome is
// retried by the client, which an idempotent producer makes safe.
import { isTributaryError, type ErrorCode } from '@tributary/core';
import { KafkaError, type KafkaErrorCode } from '@tributary/kafka';

const byCode: Partial<Record<ErrorCode, KafkaErrorCode>> = {
  TOPIC_NOT_FOUND: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  PARTITION_NOT_FOUND: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  TOPIC_EXISTS: KafkaError.TOPIC_ALREADY_EXISTS,
  INVALID_TOPIC_NAME: KafkaError.INVALID_TOPIC_EXCEPTION,
  INVALID_PARTITION_COUNT: KafkaError.INVALID_PARTITIONS,
  INVALID_TOPIC_CONFIG: KafkaError.INVALID_CONFIG,
  RECORD_TOO_LARGE: KafkaError.MESSAGE_TOO_LARGE,
  WRITE_OUTCOME_UNKNOWN: KafkaError.REQUEST_TIMED_OUT,
  REDIS_UNAVAILABLE: KafkaError.KAFKA_STORAGE_ERROR,
  PARTITION_BUSY: KafkaError.NOT_ENOUGH_REPLICAS,
  ZOOKEEPER_UNAVAILABLE: KafkaError.REQUEST_TIMED_OUT,
};

export function kafkaErrorCode(err: unknown): KafkaErrorCode {
  return (isTributaryError(err) && byCode[err.code]) || KafkaError.UNKNOWN_SERVER_ERROR;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
