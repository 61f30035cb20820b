// Apache Kafka's default partitioner (DESIGN.md I2), so a key lands where a Java producer would put it.
import murmurhash from 'murmurhash';

const KAFKA_SEED = 0x9747b28c;

/** Kafka's murmur2 of the key's UTF-8 bytes, as the signed 32-bit int Kafka's Utils.murmur2 returns. */
export function murmur2(key: string): number {
  // The package encodes strings as UTF-8 (TextEncoder) and returns the hash as an unsigned int.
  return murmurhash.v2(key, KAFKA_SEED) | 0;
}

/** partition = toPositive(murmur2(key)) % partitions; toPositive masks the sign bit (it is not Math.abs). */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
