// `tributary tail <topic>`: print a topic's records without being a consumer: nothing is subscribed or
// committed (the broker's GET /topics/:topic/partitions/:partition/records). One line per record,
// partition<TAB>offset<TAB>key<TAB>value (a keyless record has an empty key), or JSON lines with --json.
// With --follow it keeps printing new records until Ctrl-C, asking every POLL_MS once caught up: browsing
// holds no state on the server, so there is nothing to long-poll on.
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { path, type ServiceClient } from './client.js';
import { contextOf, integerIn } from './context.js';
import { parseDuration } from './duration.js';
import { plainValue, printJson, printLines } from './output.js';
import type { BrowseAnswer } from '@tributary/core';
import type { TopicDescription } from './topics.js';

/** Where tail starts in each partition. */
export type From = { at: 'earliest' | 'latest' } | { offset: number } | { timestamp: number };

interface TailOptions {
  partition?: number;
  from: From;
  follow?: boolean;
  max?: number;
}

/** Records asked for per partition and request. */
const BATCH = 1_000;
/** How long a caught-up --follow waits before asking again. */
const POLL_MS = 500;

/** `earliest`, `latest`, an offset, an ISO 8601 time, or a duration ago (`10m`). */
export function parseFrom(text: string): From {
  if (text === 'earliest' || text === 'latest') return { at: text };
  if (/^\d+$/.test(text)) return { offset: Number(text) };
  if (/^\d+(ms|[dhms])$/.test(text)) return { timestamp: Date.now() - parseDuration(text) };
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new InvalidArgumentError(`"${text}" is not earliest, latest, an offset, a time (2026-11-23T10:00:00Z) or a duration ago (10m)`);
  }
  return { timestamp: time };
}

export function tailCommand(): Command {
  return new Command('tail')
    .description('print a topic’s records as partition<TAB>offset<TAB>key<TAB>value, without subscribing or committing anything')
    .argument('<topic>', 'topic to read')
    .option('-p, --partition <n>', 'only this partition', integerIn(0, 99_999))
    .option('--from <where>', 'earliest, latest, an offset, a time (2026-11-23T10:00:00Z) or a duration ago (10m)', parseFrom, { at: 'earliest' } as From)
    .option('-f, --follow', 'keep printing new records until Ctrl-C')
    .option('--max <n>', 'stop after this many records', integerIn(1, Number.MAX_SAFE_INTEGER))
    .action(async function (this: Command, topic: string, options: TailOptions) {
      const context = contextOf(this);
      const stop = new AbortController();
      const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await tail(context.brokerClient(), topic, options, stop.signal, context.json);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

async function tail(broker: ServiceClient, topic: string, options: TailOptions, stop: AbortSignal, json: boolean): Promise<void> {
  const description = await broker.get<TopicDescription>(path`/topics/${topic}`);
  const partitions = description.partitions.filter((p) => options.partition === undefined || p.partition === options.partition);
  if (partitions.length === 0) {
    await broker.get(path`/topics/${topic}/partitions/${options.partition!}/records`); // the broker's 404 says why
  }
  // The next offset to ask for per partition; undefined: ask by the --from time.
  const positions = new Map<number, number | undefined>(
    partitions.map(({ partition, log_start_offset, next_offset }) => {
      const { from } = options;
      if ('at' in from) return [partition, from.at === 'earliest' ? log_start_offset : next_offset];
      if ('offset' in from) return [partition, options.partition === undefined ? Math.min(from.offset, next_offset) : from.offset];
      return [partition, undefined];
    }),
  );
  let remaining = options.max ?? Number.POSITIVE_INFINITY;
  while (remaining > 0 && !stop.aborted) {
    let browsed: BrowseAnswer[];
    try {
      browsed = await Promise.all(
        [...positions].map(([partition, offset]) =>
          broker.get<BrowseAnswer>(path`/topics/${topic}/partitions/${partition}/records`, {
            query: { max: Math.min(BATCH, remaining), ...(offset === undefined ? { timestamp: (options.from as { timestamp: number }).timestamp } : { offset }) },
            signal: stop,
          }),
        ),
      );
    } catch (err) {
      if (stop.aborted) return;
      throw err;
    }
    for (const batch of browsed) {
      positions.set(batch.partition, batch.next_offset);
      for (const message of batch.messages.slice(0, remaining)) {
        if (json) printJson({ topic, ...message });
        else printLines(`${message.partition}\t${message.offset}\t${message.key ?? ''}\t${plainValue(message.value)}`);
        remaining--;
      }
    }
    const caughtUp = browsed.every((batch) => batch.next_offset >= batch.high_watermark);
    if (caughtUp && !options.follow) return;
    if (caughtUp) await sleep(POLL_MS, undefined, { signal: stop }).catch(() => {});
  }
}
