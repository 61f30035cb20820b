// A subscription is a consumer group named after the subscribing service, joined with its topic pattern
// (`game.*`): Tributary spreads the matching topics' partitions over the group's members and picks up matching
// topics created later. The worker fetches, hands each event to the handler (by default an HTTP POST to the
// service's endpoint), nacks the ones that fail and commits past the batch. Tributary delivers a nacked event
// again after retry_delay_ms and, after max_retries retries, writes it to the dead-letter topic with headers
// saying where it came from and why: the topic's own dead-letter setting (the bus creates game.match.end with
// game.match.end.dlq), or for a topic made elsewhere the group's, the same `{topic}.dlq`. A replay into the
// group (POST /replay with target {"group": <service_name>}) arrives the same way, from the group's replay
// topic `__replay.<service_name>`, each copy naming its original in `replay_of`.
import { setTimeout as sleep } from 'node:timers/promises';
import { TributaryError, type GroupMessage, type Tributary } from '@tributary/example-kit';

export interface SubscriptionSpec {
  service_name: string;
  topic_pattern: string;
  /** Where each event is POSTed; a 2xx answer is success. */
  endpoint: string;
  /** Retries after the first delivery before the event goes to the dead letters. */
  max_retries: number;
  retry_delay_ms: number;
  /** Where the group starts on a partition it has never committed: a new service sees history, or not. */
  from: 'earliest' | 'latest';
}

/** What the endpoint receives: the event as published, and which delivery this is. */
export interface Delivery {
  event: unknown;
  topic: string;
  partition: number;
  offset: number;
  delivery_count: number;
  /** A replay's copy: `<topic>/<partition>/<offset>` of the original. */
  replay_of: string | null;
}

/** Throws when the event was not handled. */
export type Handler = (delivery: Delivery) => Promise<void>;

export const DEAD_LETTER_TOPIC = '{topic}.dlq';

/** POSTs the delivery as JSON; anything but a 2xx in time is a failure. */
export function httpHandler(endpoint: string, timeoutMs: number): Handler {
  return async (delivery) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(delivery),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`${endpoint} answered ${response.status}`);
  };
}

export class Subscription {
  readonly created_at = new Date().toISOString();
  status: 'joining' | 'running' | 'stopped' = 'joining';
  delivered = 0;
  failed = 0;
  dead_lettered = 0;
  last_error: string | null = null;
  #memberId: string | undefined;
  #stopped = false;
  #loop: Promise<void>;

  constructor(
    readonly spec: SubscriptionSpec,
    private readonly tributary: Tributary,
    private readonly handler: Handler,
    private readonly options: { member: string; sessionTimeoutMs: number; batch: number },
  ) {
    this.#loop = this.#run();
  }

  get group(): string {
    return this.spec.service_name;
  }

  view() {
    const { status, delivered, failed, dead_lettered, last_error, created_at } = this;
    return { ...this.spec, group: this.group, dead_letter_topic: DEAD_LETTER_TOPIC, status, delivered, failed, dead_lettered, last_error, created_at };
  }

  /** Finishes the batch in hand, then leaves the group: its partitions go to the service's other members. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    this.status = 'stopped';
    if (this.#memberId !== undefined) await this.tributary.leave(this.group, this.#memberId).catch(() => {});
  }

  async #run(): Promise<void> {
    for (let backoff = 100; !this.#stopped; ) {
      try {
        await this.#step();
        backoff = 100;
      } catch (err) {
        // Tributary away, a rebalance, an expired session: say so, and start again (what was not committed
        // is delivered again: at least once).
        this.last_error = err instanceof Error ? err.message : String(err);
        if (err instanceof TributaryError && err.code === 'UNKNOWN_MEMBER') this.#memberId = undefined;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2_000);
      }
    }
  }

  async #step(): Promise<void> {
    const { spec, tributary, group } = this;
    if (this.#memberId === undefined) {
      this.status = 'joining';
      const joined = await tributary.join(group, {
        pattern: spec.topic_pattern,
        member: this.options.member,
        session_timeout_ms: this.options.sessionTimeoutMs,
        from: spec.from,
        max_deliveries: spec.max_retries + 1,
        retry_delay_ms: spec.retry_delay_ms,
        dead_letter_topic: DEAD_LETTER_TOPIC,
      });
      this.#memberId = joined.member_id;
      this.status = 'running';
    }
    const member = this.#memberId;
    const { messages } = await tributary.fetch(group, member, this.options.batch, 1_000);
    const next = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const message of messages) {
      await this.#handle(member, message);
      const key = `${message.topic}/${message.partition}`;
      if ((next.get(key)?.offset ?? -1) <= message.offset) next.set(key, { topic: message.topic, partition: message.partition, offset: message.offset + 1 });
    }
    // Nacks first: a commit past a nacked event does not acknowledge it, it comes back after its delay.
    if (next.size > 0) await tributary.commit(group, member, [...next.values()]);
  }

  async #handle(member: string, message: GroupMessage): Promise<void> {
    const { topic, partition, offset, delivery_count } = message;
    try {
      await this.handler({ event: message.value, topic, partition, offset, delivery_count, replay_of: message.headers?.['replay-of'] ?? null });
      this.delivered++;
    } catch (err) {
      this.failed++;
      const reason = (err instanceof Error ? err.message : String(err)).slice(0, 1_000);
      const nacked = await this.tributary.nack(this.group, member, { topic, partition, offset, reason });
      if (nacked.outcome === 'dead_lettered') this.dead_lettered++;
    }
  }
}
