// `tributary subscriptions <email>`: the consumer's topics with, per partition, its committed offset, the
// high watermark and the lag between them (GET /subscriptions/:email on the gateway).
import { Command } from 'commander';
import { path } from './client.js';
import { contextOf } from './context.js';
import type { SubscriptionList } from '@tributary/core';
import { printJson, printLines, table } from './output.js';

export function subscriptionsCommand(): Command {
  return new Command('subscriptions')
    .description('a consumer’s topics, with committed offsets and lag per partition')
    .argument('<email>', 'the consumer')
    .action(async function (this: Command, email: string) {
      const context = contextOf(this);
      const list = await context.gatewayClient().get<SubscriptionList>(path`/subscriptions/${email}`);
      if (context.json) return printJson(list);
      if (list.subscriptions.length === 0) return printLines(`${list.email} has no subscriptions`);
      printLines(
        table(
          ['topic', 'partition', 'committed offset', 'log-start offset', 'high watermark', 'lag'],
          list.subscriptions.flatMap((subscription) =>
            subscription.partitions.map((p) => [subscription.topic, p.partition, p.committed_offset, p.log_start_offset, p.high_watermark, p.lag]),
          ),
        ),
        '',
        `total lag ${list.subscriptions.reduce((sum, subscription) => sum + subscription.lag, 0)}`,
      );
    });
}
