// `tributary consume`: print a topic's records through the gateway and commit them once printed, one line
// per record. As a consumer (--email, subscribed first if needed): the partition --key maps to
// (offset<TAB>key<TAB>value, the original form), one --partition, or every partition
// (partition<TAB>offset<TAB>key<TAB>value). As a member of a consumer group (--group, group-consume.ts): joins,
// prints what the group gives it, and leaves on exit. Without --follow it stops once caught up (or after --max
// records); with --follow it long-polls until Ctrl-C.
//
// Reads do not commit; the offsets are committed only after the records are printed: Ctrl-C (or a crash)
// between a read and its output then repeats records on the next run instead of losing them (at-least-once,
// like a Kafka consumer that commits after processing).
import { Command, Option } from 'commander';
import { path, type ServiceClient } from './client.js';
import { contextOf, integerIn } from './context.js';
import { usageError } from './errors.js';
import { consumeAsMember } from './group-consume.js';
import type { GroupMessage, Message as ReadMessage, PartitionProgress, PartitionReadAnswer, TopicReadAnswer } from '@tributary/core';
import { note, plainValue, printJson, printLines } from './output.js';

/** A record as an email read or a group fetch answers it (a fetch's records also name their topic). */
export type Message = ReadMessage | GroupMessage;

export interface ConsumeOptions {
  email?: string;
  key?: string;
  partition?: number;
  group?: string;
  member?: string;
  follow?: boolean;
  from?: 'earliest' | 'latest';
  max?: number;
  onlyKey?: boolean;
}

/** One read: its messages, and whether the reader is caught up after it. */
export interface Batch {
  messages: Message[];
  caughtUp: boolean;
}

/** How one way of consuming reads, commits and prints. */
export interface Consumer {
  read(max: number, waitMs: number, stop: AbortSignal): Promise<Batch>;
  /** Commits past what was printed of `batch` (all of it, unless --max cut it short after `shown`). */
  commit(batch: Batch, shown: Message[]): Promise<void>;
  line(message: Message): string;
}

/** Records asked for per read. */
export const READ_BATCH = 1_000;
/** How long one long poll waits for a record. */
export const WAIT_MS = 10_000;

export function consumeCommand(): Command {
  return new Command('consume')
    .description(
      'print a topic’s records, committing them once printed: as a consumer (--email) of the partition --key maps to, one --partition or every partition; or as a member of a consumer group (--group)',
    )
    .argument('<topic>', 'topic to read')
    .option('--email <email>', '(required: this or --group) the consumer: its subscription and committed offsets')
    .option('--key <key>', 'read the partition this key maps to (as the broker partitions writes)')
    .option('-p, --partition <n>', 'read only this partition', integerIn(0, 99_999))
    .option('--group <group>', '(required: this or --email) consume as a member of this consumer group: it joins, and leaves on exit (Ctrl-C included)')
    .option('--member <name>', 'with --group: the member’s name (a member rejoining under its name gets the same partitions back)')
    .option('-f, --follow', 'keep waiting for new records until Ctrl-C')
    .addOption(
      new Option('--from <where>', 'where a NEW subscription (or a group without committed offsets) starts; an existing one resumes at its offset').choices([
        'earliest',
        'latest',
      ]),
    )
    .option('--max <n>', 'stop after this many records', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--only-key', 'with --key: print only records with exactly this key (others are still consumed)')
    .action(async function (this: Command, topic: string, options: ConsumeOptions) {
      checkOptions(options);
      const context = contextOf(this);
      const gateway = context.gatewayClient();
      const stop = new AbortController();
      const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        if (options.group) await consumeAsMember(gateway, topic, options as ConsumeOptions & { group: string }, stop.signal, context.json);
        else await consume(await asConsumer(gateway, topic, options as ConsumeOptions & { email: string }, context.json), options, stop.signal, context.json);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function checkOptions(options: ConsumeOptions): void {
  if ((options.email === undefined) === (options.group === undefined)) throw usageError('give --email (a consumer) or --group (a consumer group), one of them');
  if (options.key !== undefined && options.partition !== undefined) throw usageError('give --key or --partition, not both');
  if (options.group !== undefined && (options.key !== undefined || options.partition !== undefined)) {
    throw usageError('a group member reads the partitions the group gives it: --key and --partition go with --email');
  }
  if (options.onlyKey && options.key === undefined) throw usageError('--only-key needs --key');
  if (options.member !== undefined && options.group === undefined) throw usageError('--member goes with --group');
}

/** Prints and commits batches until caught up (or Ctrl-C with --follow, or --max). */
export async function consume(consumer: Consumer, options: ConsumeOptions, stop: AbortSignal, json: boolean): Promise<void> {
  let remaining = options.max ?? Number.POSITIVE_INFINITY;
  let caughtUp = false;
  while (remaining > 0 && !stop.aborted) {
    // Long-poll only once caught up: the first read answers at once, so the position is known right away.
    const waitMs = options.follow && caughtUp ? WAIT_MS : 0;
    let batch: Batch;
    try {
      batch = await consumer.read(Math.min(remaining, READ_BATCH), waitMs, stop);
    } catch (err) {
      if (stop.aborted) return; // Ctrl-C during a read: nothing was printed, so nothing is committed
      throw err;
    }
    const shown = batch.messages.slice(0, remaining);
    for (const message of shown) {
      if (json) printJson(message);
      else printLines(consumer.line(message));
    }
    remaining -= shown.length;
    // Committed even if Ctrl-C came meanwhile: these records have been printed.
    await consumer.commit(batch, shown);
    caughtUp = batch.caughtUp;
    if (caughtUp && !options.follow) return;
  }
}

export const valueText = (message: Message): string => plainValue(message.value);

/** A consumer (email): subscribes if needed, then reads the key's partition, one partition or the whole topic. */
async function asConsumer(gateway: ServiceClient, topic: string, options: ConsumeOptions & { email: string }, json: boolean): Promise<Consumer> {
  const { email, key } = options;
  const subscription = await gateway.post<{ created: boolean }>(path`/subscribe/${email}/${topic}`, { query: { from: options.from } });
  if (!json) {
    if (subscription.created) note(`subscribed ${email} to ${topic} from the ${options.from ?? 'earliest'} record`);
    else if (options.from) note(`${email} is already subscribed to ${topic}: resuming at its committed offset (--from applies to new subscriptions)`);
  }
  let announced = false;
  const announce = (progress: PartitionProgress[]) => {
    if (json || announced) return;
    announced = true;
    const behind = progress.reduce((sum, p) => sum + p.high_watermark - p.start_offset, 0);
    const where = progress.length === 1 ? `partition ${progress[0]!.partition} from offset ${progress[0]!.start_offset}` : `${progress.length} partitions`;
    note(`reading ${topic} ${where} (${behind} behind)`);
  };
  // The last read's progress per partition, for the commit that follows it.
  let progress: PartitionProgress[] = [];
  return {
    async read(max, waitMs, stop) {
      const common = { max, wait_ms: waitMs, commit: false };
      const request = { timeoutMs: waitMs + 15_000, signal: stop };
      let messages: Message[];
      if (key !== undefined || options.partition !== undefined) {
        const read = await gateway.get<PartitionReadAnswer>(key !== undefined ? path`/read/${email}/${topic}/${key}` : path`/read/${email}/${topic}`, {
          // With --only-key most records scanned may not be shown: scan a full batch, the commit stops at --max.
          query: key !== undefined ? { ...common, max: options.onlyKey ? READ_BATCH : max, only_key: options.onlyKey } : { ...common, partition: options.partition },
          ...request,
        });
        progress = [read];
        messages = read.messages.map((message) => ({ topic: read.topic, partition: read.partition, ...message }));
      } else {
        const read = await gateway.get<TopicReadAnswer>(path`/read/${email}/${topic}`, { query: common, ...request });
        progress = read.partitions;
        messages = read.messages.map((message) => ({ topic: read.topic, ...message }));
      }
      announce(progress);
      for (const p of progress) {
        if (!json && p.offset_reset) note(`partition ${p.partition}: offsets ${p.offset_reset.from}-${p.offset_reset.to - 1} were dropped by retention before they were read`);
      }
      return { messages, caughtUp: progress.every((p) => p.lag === 0 || p.next_offset === p.start_offset) };
    },
    async commit(batch, shown) {
      const cut = shown.length < batch.messages.length;
      for (const p of progress) {
        // Past everything scanned, unless --max cut the output short: then just past the last record shown.
        const last = shown.filter((m) => m.partition === p.partition).at(-1);
        const commitTo = cut ? (last ? last.offset + 1 : p.start_offset) : p.next_offset;
        if (commitTo > p.start_offset) await gateway.post(path`/commit/${email}/${topic}/${p.partition}`, { body: { offset: commitTo } });
      }
    },
    line: (message) =>
      key !== undefined
        ? `${message.offset}\t${message.key ?? ''}\t${valueText(message)}`
        : `${message.partition}\t${message.offset}\t${message.key ?? ''}\t${valueText(message)}`,
  };
}
