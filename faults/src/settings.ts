// How hard and how long each scenario pushes. Quick settings shorten the phases around the fault; the load
// itself and the retry policy stay the same, so a quick run checks the same things on fewer records.
import type { ProducerSettings } from './producer.js';

export interface Settings {
  mode: 'full' | 'quick';
  singleProducers: number;
  batchProducers: number;
  producer: Omit<ProducerSettings, 'kind'>;
  /** Load before the fault, ms. */
  beforeMs: number;
  /** Load after every service is ready again, ms. */
  afterMs: number;
  /** How long a crashed process stays down before it is started again, ms. */
  downMs: number;
  /** Bound on the consumer's drain and on the read-back, ms. */
  drainTimeoutMs: number;
}

const full: Settings = {
  mode: 'full',
  singleProducers: 4,
  batchProducers: 2,
  producer: {
    keys: 8,
    paceMs: 2,
    maxRecords: 200_000,
    // Past the broker's own Redis deadline (REDIS_TIMEOUT_MS, 2 s): a broker that answers at all answers first.
    requestTimeoutMs: 10_000,
    maxAttempts: 40,
    retryBudgetMs: 30_000,
  },
  beforeMs: 10_000,
  afterMs: 10_000,
  downMs: 3_000,
  drainTimeoutMs: 30_000,
};

const quick: Settings = { ...full, mode: 'quick', beforeMs: 3_000, afterMs: 4_000, downMs: 2_000 };

export function settingsFor(mode: 'full' | 'quick'): Settings {
  return mode === 'full' ? full : quick;
}
