// Quota counters in Redis, shared by every broker and gateway so a principal's quota holds across all of
// them. The request rate is counted by @fastify/rate-limit's Redis store (auth/quotas.ts); the bytes a
// principal produces by chargeQuota-1.lua, here.
import type { Result } from 'ioredis';
import { quotaKeys } from '../keys.js';
import { redisCall, type RedisClient } from './connection.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chargeQuota(bucket: string, cost: number, rate: number): Result<number, Context>;
  }
}

export class QuotaStore {
  constructor(private readonly redis: RedisClient) {}

  /**
   * Adds `bytes` to the principal's produce bucket, which drains at `bytesPerSec`; answers 0 when let in,
   * else the ms to wait (nothing charged).
   */
  chargeProducedBytes(principal: string, bytes: number, bytesPerSec: number): Promise<number> {
    return redisCall(this.redis.chargeQuota(quotaKeys(principal).produceBytes, Math.max(1, bytes), bytesPerSec));
  }
}
