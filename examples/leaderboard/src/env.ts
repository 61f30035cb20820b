// The leaderboard's settings from the environment, checked once at start (the example kit's `text` and
// `integer` stop the process with a message on a typo, rather than run it at NaN events per second).
import { text, tributaryEndpoints } from '@tributary/example-kit';

/** Where Tributary and Redis are, shared by the three processes. */
export interface Endpoints {
  brokerUrl: string;
  gatewayUrl: string;
  /** Sent as `Authorization: Bearer` when Tributary runs with AUTH=on. */
  apiKey: string | undefined;
  redisUrl: string;
  /** Every Redis key of the example starts with it, so it can share Tributary's own Redis. */
  keyPrefix: string;
  topic: string;
}

export function endpoints(): Endpoints {
  return {
    ...tributaryEndpoints(),
    redisUrl: text('REDIS_URL', 'redis://localhost:6379'),
    keyPrefix: text('KEY_PREFIX', 'leaderboard:'),
    topic: text('TOPIC', 'game-events'),
  };
}
