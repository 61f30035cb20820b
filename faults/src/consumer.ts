// A consumer reading every partition of the topic through the gateway, one loop per partition. The
// at-least-once consumer reads with commit=false and commits the answer's next_offset only after it has
// recorded the records, so a failed read or commit means reading them again, never skipping them. The
// read-back after a scenario uses the same loops with auto-commit, from a fresh email.
import { setTimeout as sleep } from 'node:timers/promises';
import { partitionFor } from '@tributary/core';
import { Answers, call, resultLabel } from './http.js';
import { isRecordValue } from './ledger.js';
import type { Timeline } from './timeline.js';

export interface Delivery {
  partition: number;
  offset: number;
  /** The record id its value carries; undefined for a record the suite did not write. */
  id: string | undefined;
}

export interface ConsumerOptions {
  gateway: string;
  email: string;
  topic: string;
  partitions: number;
  /** 'explicit': commit=false, then POST /commit; 'auto': the read commits. */
  commit: 'explicit' | 'auto';
  max: number;
  waitMs: number;
  timeline: Timeline;
}

interface ReadAnswer {
  start_offset: number;
  next_offset: number;
  messages: Array<{ offset: number; value: unknown }>;
}

export class Consumer {
  /** Every record received, in the order received, redeliveries included. */
  readonly deliveries: Delivery[] = [];
  /** Every answer a read or commit got. */
  readonly answers = new Answers();
  /** Offsets a read skipped: it started past the last record delivered: reads must never move past undelivered records. */
  skipped = 0;
  /** The next offset committed, per partition. */
  readonly committed: number[];
  #targets: readonly number[] | undefined;
  #deadline = Number.POSITIVE_INFINITY;
  #loops: Array<Promise<void>> = [];

  constructor(private readonly options: ConsumerOptions) {
    this.committed = Array.from({ length: options.partitions }, () => 0);
  }

  async subscribe(timeoutMs: number): Promise<void> {
    const { gateway, email, topic } = this.options;
    const deadline = Date.now() + timeoutMs;
    // The gateway learns of a new topic from a ZooKeeper watch: until then it answers 404.
    for (;;) {
      const result = await call('POST', `${gateway}/subscribe/${email}/${topic}?from=earliest`, undefined, 5_000);
      if (result.kind === 'answer' && result.status < 300) return;
      if (Date.now() > deadline) throw new Error(`could not subscribe ${email} to ${topic}: ${resultLabel(result)}`);
      await sleep(100);
    }
  }

  start(): void {
    const keys = keyForEachPartition(this.options.partitions);
    this.#loops = keys.map((key, partition) => this.#consume(partition, key));
  }

  /** Reads on until every partition's committed offset reaches its target, or `timeoutMs` passes. */
  async drain(targets: readonly number[], timeoutMs: number): Promise<void> {
    this.#targets = targets;
    this.#deadline = Date.now() + timeoutMs;
    await Promise.all(this.#loops);
  }

  /** Stops every loop after its current request. */
  async stop(): Promise<void> {
    this.#deadline = 0;
    await Promise.all(this.#loops);
  }

  /** Partitions whose committed offset is short of the target, with both. */
  shortfalls(): Array<{ partition: number; committed: number; target: number }> {
    const targets = this.#targets ?? [];
    return targets.flatMap((target, partition) =>
      this.committed[partition]! < target ? [{ partition, committed: this.committed[partition]!, target }] : [],
    );
  }

  async #consume(partition: number, key: string): Promise<void> {
    const { gateway, email, topic, max, waitMs, timeline } = this.options;
    const explicit = this.options.commit === 'explicit';
    const readUrl = `${gateway}/read/${email}/${topic}/${key}?commit=${!explicit}&max=${max}&wait_ms=${waitMs}`;
    let expected = 0; // one past the highest offset delivered
    let failures = 0;
    const backOff = () => sleep(Math.min(1_000, 50 * 2 ** Math.min(failures++, 5)));

    while (Date.now() < this.#deadline) {
      const target = this.#targets?.[partition];
      if (target !== undefined && this.committed[partition]! >= target) return;

      const read = await call('GET', readUrl, undefined, waitMs + 5_000);
      this.answers.add(read, 'read ');
      if (read.kind !== 'answer' || read.status !== 200) {
        await backOff();
        continue;
      }
      timeline.readOks.push(timeline.now());
      const answer = read.body as ReadAnswer;
      // A read starts at the stored offset: a commit whose answer was lost may have moved it.
      this.committed[partition] = Math.max(this.committed[partition]!, answer.start_offset);
      if (answer.start_offset > expected) this.skipped += answer.start_offset - expected;
      for (const { offset, value } of answer.messages) {
        this.deliveries.push({ partition, offset, id: isRecordValue(value) ? value.id : undefined });
        expected = Math.max(expected, offset + 1);
      }
      if (!explicit) {
        this.committed[partition] = answer.next_offset;
        failures = 0;
        continue;
      }
      if (answer.next_offset === answer.start_offset) continue;
      const commit = await call('POST', `${gateway}/commit/${email}/${topic}/${partition}`, { offset: answer.next_offset }, 5_000);
      this.answers.add(commit, 'commit ');
      if (commit.kind === 'answer' && commit.status === 200) {
        this.committed[partition] = answer.next_offset;
        failures = 0;
      } else {
        await backOff();
      }
    }
  }
}

/** A key that lands in each partition (the gateway picks the partition from the key, as the broker does). */
export function keyForEachPartition(partitions: number): string[] {
  const keys = new Map<number, string>();
  for (let i = 0; keys.size < partitions; i++) {
    const key = `reader-${i}`;
    const partition = partitionFor(key, partitions);
    if (!keys.has(partition)) keys.set(partition, key);
  }
  return Array.from({ length: partitions }, (_, p) => keys.get(p)!);
}
