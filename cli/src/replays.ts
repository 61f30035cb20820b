// `tributary stats` (GET /stats) and `tributary replay <topic> …`, `tributary replays [show|cancel]`: the broker's
// cluster-wide counts, and its replays of a time window of a topic into another topic or to one group.
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ClusterStats, ReplayAnswer } from '@tributary/core';
import { path } from './client.js';
import { contextOf } from './context.js';
import { formatDuration, parseDuration } from './duration.js';
import { CliError, usageError } from './errors.js';
import { fields, printJson, printLines, table } from './output.js';

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** How often --wait asks how far a replay got. */
const WAIT_POLL_MS = 500;

export function statsCommand(): Command {
  return new Command('stats')
    .description('the whole cluster: records published and consumed (totals and per second over the last minute), topics, subscriptions')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const stats = await context.brokerClient().get<ClusterStats>('/stats');
      if (context.json) return printJson(stats);
      const rate = (n: number) => `${n.toFixed(1)}/s`;
      printLines(
        fields([
          ['published', `${stats.published_total} (${rate(stats.published_per_second)})`],
          ['consumed', `${stats.consumed_total} (${rate(stats.consumed_per_second)})`],
          ['topics', `${stats.topics} (${stats.active_topics} written in the last 5 minutes), ${stats.partitions} partitions`],
          ['records stored', stats.records_stored],
          ['subscriptions', `${counted(stats.subscriptions.emails, 'email')}, ${counted(stats.subscriptions.groups, 'group')}`],
        ]),
      );
    });
}

/** A time as the broker takes it: ISO 8601 as given, or a duration ago (10m) as Unix ms. */
function parseTime(text: string): string | number {
  if (/^\d+(ms|[dhms])$/.test(text)) return Date.now() - parseDuration(text);
  if (Number.isNaN(Date.parse(text))) throw new InvalidArgumentError(`"${text}" is not a time (2026-11-23T10:00:00Z) or a duration ago (10m)`);
  return text;
}

function parseFilter(text: string): Record<string, unknown> {
  try {
    const filter = JSON.parse(text) as unknown;
    if (filter !== null && typeof filter === 'object' && !Array.isArray(filter)) return filter as Record<string, unknown>;
  } catch {
    // said below
  }
  throw new InvalidArgumentError(`"${text}" is not a JSON object, e.g. '{"type": "match.end", "score": {"$gte": 100}}'`);
}

function progressLine(replay: ReplayAnswer): string {
  const { scanned, records_total: total, matched, written, percent } = replay.progress;
  return `${replay.replay_id} ${replay.status}: ${percent}% (${scanned} of ${total} scanned, ${matched} matched, ${written} written)`;
}

function replayText(replay: ReplayAnswer): string {
  const target = replay.target.group === undefined ? `topic ${replay.target.topic}` : `group ${replay.target.group} (through ${replay.target.topic})`;
  return [
    fields([
      ['replay', replay.replay_id],
      ['status', replay.error ? `${replay.status}: ${replay.error}` : replay.status],
      ['from', `${replay.topic}, ${new Date(replay.from).toISOString()} to ${new Date(replay.to).toISOString()}`],
      ['to', target],
      ['filter', replay.filter === null ? 'none' : JSON.stringify(replay.filter)],
      ['progress', progressLine(replay).slice(replay.replay_id.length + 1)],
      ['created', replay.created_at],
      ['finished', replay.finished_at],
    ]),
    '',
    table(['partition', 'position', 'end'], replay.partitions.map((p) => [p.partition, p.position, p.end])),
  ].join('\n');
}

interface ReplayOptions {
  toTopic?: string;
  toGroup?: string;
  from?: string | number;
  until?: string | number;
  filter?: Record<string, unknown>;
  wait?: boolean;
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('copy a time window of a topic, optionally only the records whose value matches a filter, into another topic or to one consumer group')
    .argument('<topic>', 'topic to replay')
    .addOption(new Option('--to-topic <topic>', 'write the records to this topic (it must exist) — this or --to-group is required').conflicts('toGroup'))
    .option('--to-group <group>', 'deliver the records to this consumer group only (through its replay topic)')
    .option('--from <time>', 'records appended at or after this time (2026-11-23T10:00:00Z) or this long ago (10m); default the oldest kept', parseTime)
    .option('--until <time>', 'records appended at or before this time or this long ago; default now', parseTime)
    .option('--filter <json>', `a MongoDB-style condition on the value, e.g. '{"type": "match.end", "score": {"$gte": 100}}'`, parseFilter)
    .option('-w, --wait', 'wait until the replay ends, showing its progress')
    .action(async function (this: Command, topic: string, options: ReplayOptions) {
      const context = contextOf(this);
      if (!options.toTopic && !options.toGroup) throw usageError('say where the records go: --to-topic <topic> or --to-group <group>');
      const broker = context.brokerClient();
      const target = options.toTopic ? { topic: options.toTopic } : { group: options.toGroup! };
      let replay = await broker.post<ReplayAnswer>('/replay', {
        body: {
          topic,
          target,
          ...(options.from === undefined ? {} : { from: options.from }),
          ...(options.until === undefined ? {} : { to: options.until }),
          ...(options.filter === undefined ? {} : { filter: options.filter }),
        },
      });
      const started = Date.now();
      if (options.wait) {
        while (replay.status === 'running') {
          if (!context.json) process.stderr.write(`${progressLine(replay)}\n`);
          await sleep(WAIT_POLL_MS);
          replay = await broker.get<ReplayAnswer>(path`/replay/${replay.replay_id}`);
        }
      }
      if (context.json) return printJson(replay);
      printLines(options.wait ? `${progressLine(replay)} in ${formatDuration(Date.now() - started)}` : `${progressLine(replay)}; follow it with: tributary replays show ${replay.replay_id}`);
      if (replay.status === 'failed') throw new CliError(`replay ${replay.replay_id} failed: ${replay.error}`);
    });
}

export function replaysCommand(): Command {
  const replays = new Command('replays').description('list, show and cancel replays');
  replays
    .command('list', { isDefault: true })
    .description('the last 100 replays, newest first')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const { replays: list } = await context.brokerClient().get<{ replays: ReplayAnswer[] }>('/replays');
      if (context.json) return printJson({ replays: list });
      if (list.length === 0) return printLines('no replays');
      printLines(
        table(
          ['replay', 'status', 'topic', 'to', 'percent', 'matched', 'written', 'created'],
          list.map((r) => [r.replay_id, r.status, r.topic, r.target.group ?? r.target.topic, r.progress.percent, r.progress.matched, r.progress.written, r.created_at]),
        ),
      );
    });
  replays
    .command('show')
    .description('one replay: its window, filter, target and progress per partition')
    .argument('<id>', 'replay id')
    .action(async function (this: Command, id: string) {
      const context = contextOf(this);
      const replay = await context.brokerClient().get<ReplayAnswer>(path`/replay/${id}`);
      if (context.json) return printJson(replay);
      printLines(replayText(replay));
    });
  replays
    .command('cancel')
    .description('stop a running replay (what it wrote stays written)')
    .argument('<id>', 'replay id')
    .action(async function (this: Command, id: string) {
      const context = contextOf(this);
      const replay = await context.brokerClient().delete<ReplayAnswer>(path`/replay/${id}`);
      if (context.json) return printJson(replay);
      printLines(progressLine(replay));
    });
  return replays;
}
