// `tributary topics list | create | describe | alter | delete`: the broker's topic admin routes.
import { createInterface } from 'node:readline/promises';
import type { TopicAlterResult, TopicDeleted, TopicDescription, TopicList } from '@tributary/core';
import { Command, InvalidArgumentError } from 'commander';
import { path } from './client.js';
import { contextOf, duration, integerIn } from './context.js';
import { formatDuration } from './duration.js';
import { CliError, usageError } from './errors.js';
import { fields, printJson, printLines, table } from './output.js';

// The broker's answers, as the protocol schemas describe them.
export type { TopicDescription };

/** A dedup window: a duration, or 0 for "ids not checked". */
function dedupWindow(text: string): number {
  if (text.trim() === '0') return 0;
  const ms = duration(text);
  if (ms < 0) throw new InvalidArgumentError('a dedup window cannot be forever: use a duration up to 7d, or 0 to not check ids');
  return ms;
}

export function topicsCommand(): Command {
  const topics = new Command('topics').description('list, create, describe, alter and delete topics');

  topics
    .command('list')
    .description('every topic with its partition and record counts')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const { topics: all } = await context.brokerClient().get<TopicList>('/topics');
      if (context.json) return printJson({ topics: all });
      if (all.length === 0) return printLines('no topics');
      const sorted = [...all].sort((a, b) => a.name.localeCompare(b.name));
      printLines(
        table(
          ['name', 'partitions', 'records', 'retention', 'created'],
          sorted.map((topic) => [topic.name, topic.partition_count, totalRecords(topic), formatDuration(topic.config.retention_ms), topic.created_at]),
        ),
      );
    });

  topics
    .command('create')
    .description('create a topic')
    .argument('<name>', 'topic name: 1-249 of [a-zA-Z0-9._-]')
    // The most any broker accepts (MAX_PARTITIONS is at most 100000; 1000 unless configured).
    .requiredOption('-p, --partitions <n>', 'number of partitions (the broker\'s MAX_PARTITIONS, 1000 by default, at most)', integerIn(1, 100_000))
    .option('--retention <duration>', 'drop records older than this: 7d, 12h, 30m, 90s, 500ms, or -1/forever (broker default 7d)', duration)
    .option('--max-record-bytes <n>', 'largest record accepted, in bytes (broker default 1 MiB)', integerIn(1, Number.MAX_SAFE_INTEGER))
    .action(async function (this: Command, name: string, options: { partitions: number; retention?: number; maxRecordBytes?: number }) {
      const context = contextOf(this);
      const description = await context.brokerClient().post<TopicDescription>(path`/create_topic/${name}/${options.partitions}`, {
        body: { retention_ms: options.retention, max_record_bytes: options.maxRecordBytes },
      });
      if (context.json) return printJson(description);
      printLines(`created topic ${description.name}`, '', describeText(description));
    });

  topics
    .command('describe')
    .description('a topic’s config and, per partition, its log-start offset, next offset and record count')
    .argument('<name>', 'topic name')
    .action(async function (this: Command, name: string) {
      const context = contextOf(this);
      const description = await context.brokerClient().get<TopicDescription>(path`/topics/${name}`);
      if (context.json) return printJson(description);
      printLines(describeText(description));
    });

  topics
    .command('alter')
    .description('change a topic’s config, or grow its partition count (keys then map to other partitions)')
    .argument('<name>', 'topic name')
    .option('--retention <duration>', 'drop records older than this: 7d, 12h, 30m, 90s, 500ms, or -1/forever', duration)
    .option('--max-record-bytes <n>', 'largest record accepted, in bytes', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--dedup-window <duration>', 'how long record ids are remembered: 10m, 1h, ... up to 7d, or 0 to not check ids', dedupWindow)
    .option('-p, --partitions <n>', 'new partition count: only more than now', integerIn(1, 100_000))
    .action(async function (
      this: Command,
      name: string,
      options: { retention?: number; maxRecordBytes?: number; dedupWindow?: number; partitions?: number },
    ) {
      const context = contextOf(this);
      const body = {
        retention_ms: options.retention,
        max_record_bytes: options.maxRecordBytes,
        dedup_window_ms: options.dedupWindow,
        partitions: options.partitions,
      };
      if (Object.values(body).every((value) => value === undefined)) {
        throw usageError('say what to change: --retention, --max-record-bytes, --dedup-window or -p/--partitions');
      }
      const description = await context.brokerClient().request<TopicAlterResult>('PATCH', path`/topics/${name}`, { body });
      if (context.json) return printJson(description);
      for (const warning of description.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
      printLines(`altered topic ${description.name}`, '', describeText(description));
    });

  topics
    .command('delete')
    .description('delete a topic and all its records (asks first unless --yes)')
    .argument('<name>', 'topic name')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action(async function (this: Command, name: string, options: { yes?: boolean }) {
      const context = contextOf(this);
      const broker = context.brokerClient();
      if (!options.yes) {
        // A script that forgot --yes must not delete data because nobody was there to say no.
        if (!process.stdin.isTTY) throw usageError(`refusing to delete topic "${name}" without --yes: stdin is not a terminal, so nobody can confirm`);
        const topic = await broker.get<TopicDescription>(path`/topics/${name}`);
        const records = totalRecords(topic);
        const question = `Delete topic "${name}" (${plural(topic.partition_count, 'partition')}, ${plural(records, 'record')})? This cannot be undone. [y/N] `;
        // Answering no is a choice, not a failure: nothing to report, exit 0.
        if (!(await confirm(question))) return;
      }
      const result = await broker.delete<TopicDeleted>(path`/delete_topic/${name}`);
      if (context.json) return printJson(result);
      printLines(`deleted topic ${result.name} (id ${result.id})`);
    });

  return topics;
}

export function describeText(topic: TopicDescription): string {
  const { config } = topic;
  return [
    fields([
      ['topic', topic.name],
      ['id', topic.id],
      ['partitions', topic.partition_count],
      ['records', totalRecords(topic)],
      ['retention', config.retention_ms === -1 ? 'forever' : `${formatDuration(config.retention_ms)} (${config.retention_ms} ms)`],
      ['max record', `${config.max_record_bytes} bytes`],
      ['segment', `${config.segment_records} records`],
      ['created', topic.created_at],
    ]),
    '',
    table(
      ['partition', 'log-start offset', 'next offset', 'records'],
      topic.partitions.map((p) => [p.partition, p.log_start_offset, p.next_offset, p.records]),
    ),
  ].join('\n');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function totalRecords(topic: TopicDescription): number {
  return topic.partitions.reduce((sum, partition) => sum + partition.records, 0);
}

export async function confirm(question: string): Promise<boolean> {
  // The prompt goes to stderr: stdout carries only the result.
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } catch (err) {
    // Ctrl-C or Ctrl-D at the prompt is a no.
    if (err instanceof Error && err.name === 'AbortError') {
      process.stderr.write('\n');
      return false;
    }
    throw err;
  } finally {
    prompt.close();
  }
}
