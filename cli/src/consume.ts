// `tributary consume`: subscribes the email to the topic if it is not yet, then reads the partition that
// --key maps to through the gateway, printing one line per record. Without --follow it stops once caught up
// (or after --max records); with --follow it long-polls until Ctrl-C.
//
// Reads use commit=false and the offset is committed only after the records are printed: Ctrl-C (or a
// crash) between a read and its output then repeats records on the next run instead of losing them
// (at-least-once, like a Kafka consumer that commits after processing).
import { Command, Option } from 'commander';
import { path, type ServiceClient } from './client.js';
import { contextOf, integerIn } from './context.js';
import { note, printJson, printLines } from './output.js';

interface Message {
  offset: number;
  key: string;
  value: unknown;
  timestamp: number;
  headers?: Record<string, string>;
}

/** GET /read/:email/:topic/:key on the gateway. */
interface ReadResult {
  topic: string;
  partition: number;
  start_offset: number;
  next_offset: number;
  high_watermark: number;
  lag: number;
  offset_reset?: { from: number; to: number };
  messages: Message[];
}

interface ConsumeOptions {
  email: string;
  key: string;
  follow?: boolean;
  from?: 'earliest' | 'latest';
  max?: number;
  onlyKey?: boolean;
}

/** Records asked for per read. */
const READ_BATCH = 1_000;
/** How long one long poll waits for a record. */
const WAIT_MS = 10_000;

export function consumeCommand(): Command {
  return new Command('consume')
    .description('print records of the partition that --key maps to, as offset<TAB>key<TAB>value; subscribes first if needed')
    .argument('<topic>', 'topic to read')
    .requiredOption('--email <email>', 'the consumer: its subscription and committed offsets')
    .requiredOption('--key <key>', 'picks the partition to read (as the broker partitions writes)')
    .option('-f, --follow', 'keep waiting for new records until Ctrl-C')
    .addOption(new Option('--from <where>', 'where a NEW subscription starts (an existing one resumes at its offset)').choices(['earliest', 'latest']))
    .option('--max <n>', 'stop after this many records', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--only-key', 'print only records with exactly this key (others are still consumed)')
    .action(async function (this: Command, topic: string, options: ConsumeOptions) {
      const context = contextOf(this);
      const gateway = context.gatewayClient();
      const { email, key } = options;

      const subscription = await gateway.post<{ created: boolean }>(path`/subscribe/${email}/${topic}`, { query: { from: options.from } });
      if (!context.json) {
        if (subscription.created) note(`subscribed ${email} to ${topic} from the ${options.from ?? 'earliest'} record`);
        else if (options.from) note(`${email} is already subscribed to ${topic}: resuming at its committed offset (--from applies to new subscriptions)`);
      }

      const stop = new AbortController();
      const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await consume(gateway, topic, options, stop.signal, context.json);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

async function consume(gateway: ServiceClient, topic: string, options: ConsumeOptions, stop: AbortSignal, json: boolean): Promise<void> {
  const { email, key } = options;
  let remaining = options.max ?? Number.POSITIVE_INFINITY;
  let announced = false;
  let caughtUp = false;
  while (remaining > 0 && !stop.aborted) {
    // Long-poll only once caught up: the first read answers at once, so the position is known right away.
    const waitMs = options.follow && caughtUp ? WAIT_MS : 0;
    let read: ReadResult;
    try {
      read = await gateway.get<ReadResult>(path`/read/${email}/${topic}/${key}`, {
        // With --only-key most records scanned may not be shown: scan a full batch, the commit stops at --max.
        query: { max: options.onlyKey ? READ_BATCH : Math.min(remaining, READ_BATCH), wait_ms: waitMs, commit: false, only_key: options.onlyKey },
        timeoutMs: waitMs + 15_000,
        signal: stop,
      });
    } catch (err) {
      if (stop.aborted) return; // Ctrl-C during a read: nothing was printed, so nothing is committed
      throw err;
    }

    if (!json && !announced) {
      note(`reading ${topic} partition ${read.partition} from offset ${read.start_offset} (${read.high_watermark - read.start_offset} behind)`);
      announced = true;
    }
    if (!json && read.offset_reset) {
      note(`offsets ${read.offset_reset.from}-${read.offset_reset.to - 1} were dropped by retention before they were read`);
    }
    const shown = read.messages.slice(0, remaining);
    for (const message of shown) {
      if (json) printJson({ topic: read.topic, partition: read.partition, ...message });
      else printLines(`${message.offset}\t${message.key}\t${JSON.stringify(message.value)}`);
    }
    remaining -= shown.length;

    // Past everything scanned, unless --max cut the output short: then just past the last record shown.
    const last = shown.at(-1);
    const commitTo = shown.length < read.messages.length && last ? last.offset + 1 : read.next_offset;
    if (commitTo > read.start_offset) {
      // Committed even if Ctrl-C came meanwhile: these records have been printed.
      await gateway.post(path`/commit/${email}/${topic}/${read.partition}`, { body: { offset: commitTo } });
    }
    caughtUp = read.lag === 0 || read.next_offset === read.start_offset;
    if (caughtUp && !options.follow) return;
  }
}
