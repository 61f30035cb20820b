// `tributary groups list | describe | reset-offsets | delete`: the gateway's consumer-group routes.
import { Command, InvalidArgumentError, Option } from 'commander';
import { path } from './client.js';
import { contextOf } from './context.js';
import { usageError } from './errors.js';
import { fields, printJson, printLines, table } from './output.js';
import { parseFrom } from './tail.js';
import type { GroupDescription, GroupOffsets } from '@tributary/core';
import { confirm } from './topics.js';

/** `topic:partition:offset`, as --offset takes it. */
function parseOffset(text: string, earlier: Array<{ topic: string; partition: number; offset: number }> = []) {
  const match = /^(.+):(\d+):(\d+)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`"${text}" is not topic:partition:offset`);
  return [...earlier, { topic: match[1]!, partition: Number(match[2]), offset: Number(match[3]) }];
}

const collect = (value: string, earlier: string[] = []) => [...earlier, value];

export function groupsCommand(): Command {
  const groups = new Command('groups').description('list, describe, reset and delete consumer groups');

  groups
    .command('list')
    .description('every consumer group with its state and number of members')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const list = await context.gatewayClient().get<{ groups: Array<{ group: string; generation: number; members: number; state: string }> }>('/groups');
      if (context.json) return printJson(list);
      if (list.groups.length === 0) return printLines('no groups');
      printLines(table(['group', 'state', 'members', 'generation'], list.groups.map((g) => [g.group, g.state, g.members, g.generation])));
    });

  groups
    .command('describe')
    .description('a group’s members and their partitions, and per partition its holder, committed offset and lag')
    .argument('<group>', 'group name')
    .action(async function (this: Command, group: string) {
      const context = contextOf(this);
      const described = await context.gatewayClient().get<GroupDescription>(path`/groups/${group}`);
      if (context.json) return printJson(described);
      const { config } = described;
      printLines(
        fields([
          ['group', described.group],
          ['generation', described.generation],
          ['members', described.members.length],
          ['max deliveries', config.max_deliveries],
          ['retry delay', `${config.retry_delay_ms} ms`],
          ['dead letters', config.dead_letter_topic ?? 'off'],
          ['total lag', described.lag],
        ]),
        '',
        table(
          ['member', 'name', 'subscribes to', 'partitions', 'expires in'],
          described.members.map((m) => [
            m.member_id,
            m.name,
            m.topics?.join(',') ?? m.pattern,
            m.assignment.map((a) => `${a.topic} ${a.partitions.join(',')}`).join('; ') || '-',
            `${Math.max(0, m.expires_in_ms)} ms`,
          ]),
        ),
        '',
        table(
          ['topic', 'partition', 'holder', 'committed', 'high watermark', 'lag', 'nacked'],
          described.partitions.map((p) => [p.topic, p.partition, p.holder, p.committed_offset, p.high_watermark, p.lag, p.nacked]),
        ),
      );
    });

  groups
    .command('reset-offsets')
    .description('set a group’s committed offsets (only while it has no members): --to earliest|latest|<time>, or --offset topic:partition:offset')
    .argument('<group>', 'group name')
    .addOption(new Option('--to <where>', '(required: this or --offset) earliest, latest, a time (2026-11-23T10:00:00Z) or a duration ago (10m)').argParser(parseFrom))
    .option('--topic <topic>', 'with --to: reset this topic (repeat for more; default: every topic the group has offsets for)', collect)
    .option('--offset <topic:partition:offset>', '(required: this or --to) set exactly this offset (repeat for more)', parseOffset)
    .action(async function (this: Command, group: string, options: { to?: ReturnType<typeof parseFrom>; topic?: string[]; offset?: GroupOffsets['offsets'] }) {
      const context = contextOf(this);
      if ((options.to === undefined) === (options.offset === undefined)) throw usageError('give --to or --offset, one of them');
      if (options.to && 'offset' in options.to) throw usageError('--to takes earliest, latest or a time; for an offset use --offset topic:partition:offset');
      const body = options.offset
        ? { offsets: options.offset }
        : { ...('at' in options.to! ? { to: options.to.at } : { timestamp: (options.to as { timestamp: number }).timestamp }), ...(options.topic ? { topics: options.topic } : {}) };
      const result = await context.gatewayClient().post<GroupOffsets>(path`/groups/${group}/offsets`, { body });
      if (context.json) return printJson(result);
      printLines(table(['topic', 'partition', 'offset'], result.offsets.map((o) => [o.topic, o.partition, o.offset])));
    });

  groups
    .command('delete')
    .description('delete a group and its committed offsets (only while it has no members; asks first unless --yes)')
    .argument('<group>', 'group name')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action(async function (this: Command, group: string, options: { yes?: boolean }) {
      const context = contextOf(this);
      if (!options.yes) {
        if (!process.stdin.isTTY) throw usageError(`refusing to delete group "${group}" without --yes: stdin is not a terminal, so nobody can confirm`);
        // Answering no is a choice, not a failure: nothing to report, exit 0 (as for topics).
        if (!(await confirm(`Delete group "${group}" and its committed offsets? This cannot be undone. [y/N] `))) return;
      }
      const result = await context.gatewayClient().delete<{ group: string; deleted: true }>(path`/groups/${group}`);
      if (context.json) return printJson(result);
      printLines(`deleted group ${result.group}`);
    });

  return groups;
}
