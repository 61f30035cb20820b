// The example's own settings from the environment; Tributary's (BROKER_URL, GATEWAY_URL, TRIBUTARY_API_KEY)
// and the checked `text` and `integer` come from the example kit.
import { text } from '@tributary/example-kit';

/** Where the example's pieces meet: its topic and group on Tributary, its aggregates in Redis. */
export interface Settings {
  topic: string;
  group: string;
  redisUrl: string;
  /** Every Redis key of the example starts with it, so it can share a Redis (Tributary's own, say). */
  keyPrefix: string;
}

export function settingsFromEnv(): Settings {
  return {
    topic: text('TOPIC', 'telemetry'),
    group: text('GROUP', 'analytics'),
    redisUrl: text('REDIS_URL', 'redis://localhost:6379'),
    keyPrefix: text('KEY_PREFIX', 'analytics:'),
  };
}
