// Long-poll waiting, shared by the gateway's reads and the broker's Kafka Fetch: readers with nothing to read
// sleep until their partition's `appended` channel fires (appendRecords.lua publishes on it after every
// append), their deadline passes, or their client goes away.
//
// All waiters of a process share ONE subscriber client: a channel is subscribed when its first waiter
// arrives and unsubscribed when its last one leaves. A waiter costs a timer and a set entry, not a Redis
// connection nor a poll loop, so tens of thousands can wait at once.
//
// The channels are sharded pub/sub channels (SPUBLISH / SSUBSCRIBE, Redis 7): on a Redis Cluster a publish
// reaches only the shard that owns the channel's hash slot (the partition's own), where plain PUBLISH would
// be broadcast to every node of the cluster. The subscriber client holds one connection per master there.
//
// Redis: SSUBSCRIBE / SUNSUBSCRIBE of trib:{<topicId>:<p>}:appended (core/keys.ts), on the subscriber client.
import { withDeadline } from '../deadline.js';
import { TributaryError } from '../errors.js';
import { redisFailure, type RedisClient } from './connection.js';

/** One reader's wait on one channel; sleep with `changed()`, and `release()` when done. */
export class Waiter {
  /** A publish arrived since the last `changed()`: there may be records the reader has not seen. */
  #woken = false;
  #ended = false;
  #settle: ((woken: boolean) => void) | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(
    deadline: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onRelease: (waiter: Waiter) => void,
  ) {
    // One timer for the whole wait, however often the waiter is woken in between.
    this.#timer = setTimeout(this.end, Math.max(0, deadline - Date.now()));
    if (signal?.aborted) this.end();
    else signal?.addEventListener('abort', this.end, { once: true });
  }

  /**
   * Resolves true once a publish arrived since the previous call (possibly before this one: a publish that
   * lands while the reader is reading is not lost), or false when the wait is over (deadline, client gone,
   * gateway closing).
   */
  changed(): Promise<boolean> {
    if (this.#ended) return Promise.resolve(false);
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  wake(): void {
    if (this.#ended) return;
    if (this.#settle) this.#resolve(true);
    else this.#woken = true;
  }

  end = (): void => {
    this.#ended = true;
    this.#resolve(false);
  };

  release(): void {
    this.end();
    clearTimeout(this.#timer);
    this.signal?.removeEventListener('abort', this.end);
    this.onRelease(this);
  }

  #resolve(woken: boolean): void {
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.(woken);
  }
}

interface Channel {
  readonly waiters: Set<Waiter>;
  /** Settles when Redis has confirmed the SUBSCRIBE: from then on, no publish on the channel is missed. */
  readonly subscribed: Promise<unknown>;
}

export class AppendWaiters {
  readonly #channels = new Map<string, Channel>();
  #closed = false;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly timeoutMs: number,
  ) {
    subscriber.on('smessage', this.#onMessage);
    // Publishes made while a connection was down are lost (ioredis resubscribes on reconnect, but pub/sub
    // keeps no history): wake everyone to re-read once. A cluster subscriber reports its shards' reconnects
    // as 'subscribersReady'.
    subscriber.on('ready', this.#wakeAll);
    subscriber.on('subscribersReady', this.#wakeAll);
  }

  /**
   * Registers a waiter on `channels` (woken by a publish on any of them) and resolves once every subscription
   * is confirmed, so the caller can read once more and then sleep without missing an append made in between.
   */
  async wait(channels: string | readonly string[], deadline: number, signal?: AbortSignal): Promise<Waiter> {
    const names = typeof channels === 'string' ? [channels] : channels;
    const waiter = new Waiter(deadline, signal, (w) => names.forEach((channel) => this.#leave(channel, w)));
    if (this.#closed) {
      waiter.end();
      return waiter;
    }
    if (this.subscriber.status !== 'ready') {
      waiter.release();
      throw new TributaryError('REDIS_UNAVAILABLE', `the Redis subscriber connection is ${this.subscriber.status}`);
    }
    const subscriptions = names.map((channel) => {
      let entry = this.#channels.get(channel);
      if (!entry) {
        const subscribed = withDeadline(this.subscriber.ssubscribe(channel), this.timeoutMs);
        // Waiters that leave before the reply must not turn its failure into an unhandled rejection.
        subscribed.catch(() => {});
        entry = { waiters: new Set(), subscribed };
        this.#channels.set(channel, entry);
      }
      entry.waiters.add(waiter);
      return entry.subscribed;
    });
    try {
      await Promise.all(subscriptions);
    } catch (err) {
      waiter.release();
      throw redisFailure(err);
    }
    return waiter;
  }

  /** Ends every wait (each reader answers with what it has) and refuses new ones: the gateway is closing. */
  close(): void {
    this.#closed = true;
    this.subscriber.off('smessage', this.#onMessage);
    this.subscriber.off('ready', this.#wakeAll);
    this.subscriber.off('subscribersReady', this.#wakeAll);
    for (const { waiters } of this.#channels.values()) for (const waiter of waiters) waiter.end();
  }

  /** How many reads wait, on how many channels (for tests and metrics). */
  get stats(): { channels: number; waiters: number } {
    let waiters = 0;
    for (const channel of this.#channels.values()) waiters += channel.waiters.size;
    return { channels: this.#channels.size, waiters };
  }

  #leave(channel: string, waiter: Waiter): void {
    const entry = this.#channels.get(channel);
    if (!entry?.waiters.delete(waiter) || entry.waiters.size > 0) return;
    this.#channels.delete(channel);
    // Commands on one connection run in order, so a SUBSCRIBE sent later for a new first waiter still wins.
    this.subscriber.sunsubscribe(channel).catch(() => {});
  }

  #onMessage = (channel: string): void => {
    const entry = this.#channels.get(channel);
    if (entry) for (const waiter of entry.waiters) waiter.wake();
  };

  #wakeAll = (): void => {
    for (const { waiters } of this.#channels.values()) for (const waiter of waiters) waiter.wake();
  };
}
