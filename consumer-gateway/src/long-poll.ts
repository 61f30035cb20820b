// The long poll every read shares (wait_ms): read once; if nothing came, sleep on the partitions' `appended`
// shard channels (waiters.ts) and read again when one fires, until something comes or the deadline passes.
import { TributaryError } from '@tributary/core';
import type { AppendWaiters, Waiter } from './waiters.js';

export interface Poll<R extends { messages: readonly unknown[] }> {
  /** The answer of the read made before deciding to wait (it had no messages). */
  first: R;
  /** The channels whose publish may mean there is something to read; asked again after each read. */
  channels: () => readonly string[];
  deadline: number;
  signal?: AbortSignal | undefined;
  readAgain: () => Promise<R>;
  /** The answer over the whole poll, from the answer so far and the latest read. */
  join: (earlier: R, later: R) => R;
  /**
   * Asked after each read: sleep at most this long, then read again even without a publish (group members
   * heartbeat this way while they wait, and wake when a nacked record is due again).
   */
  rereadAfterMs?: () => number;
  /** Registers `wake` with a source of wake-ups besides the channels; answers its removal. */
  wakeOn?: (wake: () => void) => () => void;
}

const sameChannels = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((channel, i) => channel === b[i]);

export async function longPoll<R extends { messages: readonly unknown[] }>(waiters: AppendWaiters, poll: Poll<R>): Promise<R> {
  const { deadline, signal, rereadAfterMs } = poll;
  const sleepUntil = () => (rereadAfterMs === undefined ? deadline : Math.min(deadline, Date.now() + rereadAfterMs()));
  let channels = poll.channels();
  let waiter: Waiter = await waiters.wait(channels, sleepUntil(), signal);
  const stopWaking = poll.wakeOn?.(() => waiter.wake());
  let result = poll.first;
  try {
    for (;;) {
      // Read again before sleeping: a record appended after the last read but before the subscription was
      // published to nobody. Concurrent readers of one consumer that wake together are safe: each claims its
      // own range.
      let outage: TributaryError | undefined;
      try {
        result = poll.join(result, await poll.readAgain());
      } catch (err) {
        // Redis went away mid-wait and nothing was sent: keep waiting, the reconnect wakes us to try again.
        // Anything else, including a claim whose outcome is unknown, the client must hear of now.
        if (!(err instanceof TributaryError) || err.code !== 'REDIS_UNAVAILABLE') throw err;
        outage = err;
      }
      if (result.messages.length > 0) return result;
      const woken = await waiter.changed();
      if (!woken && (Date.now() >= deadline || signal?.aborted || rereadAfterMs === undefined)) {
        // Redis never came back before the deadline: say so. A wait ended early (the gateway is closing, the
        // client left) answers with what it has.
        if (outage && Date.now() >= deadline) throw outage;
        return result;
      }
      // A re-read interval passed, or what to listen to changed: listen anew.
      const next = poll.channels();
      if (!woken || !sameChannels(channels, next)) {
        waiter.release();
        channels = next;
        waiter = await waiters.wait(channels, sleepUntil(), signal);
      }
    }
  } finally {
    stopWaking?.();
    waiter.release();
  }
}
