// Group commit: the records of concurrent requests to one partition go to Redis in one append script call,
// and each request gets its own offsets back.
//
// While a partition has an append in flight, the records of requests arriving for it wait; when the call is
// answered, everything that waited goes out as the next call. Under load, one script call (one command for
// the broker to write, one reply for it to read, one script run and one AOF write for Redis) carries many
// requests' records; with no contention a request goes out at once, as before. Requests keep their records
// together and in order, and calls go out in arrival order, so offsets are assigned exactly as if the
// requests had been appended one after the other: a duplicate id in a later request of the same call is
// found in the earlier one's records by the script, as it would be in an earlier call.
//
// Not the same as pipelining: a pipeline still runs one script per request; here the script runs once.
// A failed call fails every request in it with the same error (each would have met it alone).
import type { Appended, LogStore, Topic } from '@tributary/core';

/** How a partition's records get appended: LogStore.append, or this, with the same contract. */
export type Append = (topic: Topic, partition: number, payloads: readonly string[], ids?: readonly string[]) => Promise<Appended>;

/** Records one call carries at most (the broker's largest batch): bounds how long one script holds Redis. */
const MAX_RECORDS_PER_CALL = 10_000;

interface Waiting {
  payloads: readonly string[];
  ids: readonly string[] | undefined;
  resolve(appended: Appended): void;
  reject(reason: unknown): void;
}

interface Partition {
  topic: Topic;
  partition: number;
  busy: boolean;
  waiting: Waiting[];
}

export class GroupCommit {
  /** Per "<topicId>/<partition>": the partitions with an append in flight, and what waits for them. */
  readonly #partitions = new Map<string, Partition>();

  constructor(private readonly logs: Pick<LogStore, 'append'>) {}

  readonly append: Append = (topic, partition, payloads, ids) =>
    new Promise<Appended>((resolve, reject) => {
      const key = `${topic.id}/${partition}`;
      let state = this.#partitions.get(key);
      if (!state) this.#partitions.set(key, (state = { topic, partition, busy: false, waiting: [] }));
      state.topic = topic;
      state.waiting.push({ payloads, ids, resolve, reject });
      if (!state.busy) void this.#drain(key, state);
    });

  async #drain(key: string, state: Partition): Promise<void> {
    state.busy = true;
    while (state.waiting.length > 0) {
      let records = 0;
      let n = 0;
      while (n < state.waiting.length && (n === 0 || records + state.waiting[n]!.payloads.length <= MAX_RECORDS_PER_CALL)) {
        records += state.waiting[n++]!.payloads.length;
      }
      const group = state.waiting.splice(0, n);
      await this.#call(state, group);
    }
    state.busy = false;
    this.#partitions.delete(key);
  }

  async #call({ topic, partition }: Partition, group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group;
      await this.logs.append(topic, partition, only!.payloads, only!.ids).then(only!.resolve, only!.reject);
      return;
    }
    const payloads = group.flatMap((w) => w.payloads);
    const ids = group.some((w) => w.ids) ? group.flatMap((w) => w.ids ?? w.payloads.map(() => '')) : undefined;
    let appended: Appended;
    try {
      appended = await this.logs.append(topic, partition, payloads, ids);
    } catch (err) {
      for (const waiting of group) waiting.reject(err);
      return;
    }
    // Each request's first offset follows the records stored before its own in the call (duplicates take none).
    let start = 0;
    let offset = appended.firstOffset;
    for (const waiting of group) {
      const count = waiting.payloads.length;
      let duplicates: Appended['duplicates'];
      for (const [index, original] of appended.duplicates ?? []) {
        if (index < start || index >= start + count) continue;
        (duplicates ??= new Map()).set(index - start, original);
      }
      waiting.resolve({ firstOffset: offset, timestamp: appended.timestamp, ...(duplicates ? { duplicates } : {}) });
      offset += count - (duplicates?.size ?? 0);
      start += count;
    }
  }
}
