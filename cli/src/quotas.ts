// `tributary quotas list|set|remove`: each principal's quotas (the broker's /quotas routes; README,
// Security). A principal without its own uses the defaults (QUOTA_REQUESTS_PER_SEC,
// QUOTA_PRODUCE_BYTES_PER_SEC); 0 means no limit.
import { Command } from 'commander';
import { path } from './client.js';
import { contextOf, integerIn } from './context.js';
import { usageError } from './errors.js';
import type { Quota, QuotaList } from '@tributary/core';
import { printJson, printLines, table } from './output.js';

const limit = (value: number | undefined, fallback: number | undefined) => {
  const shown = value ?? fallback;
  return shown === undefined ? '-' : shown === 0 ? 'none' : `${shown}${value === undefined ? ' (default)' : ''}`;
};

export function quotasCommand(): Command {
  const quotas = new Command('quotas').description('quotas per principal: requests and produced bytes per second (needs admin on cluster)');

  quotas
    .command('list')
    .description('the defaults and every principal with quotas of its own')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const answer = await context.brokerClient().get<QuotaList>('/quotas');
      if (context.json) return printJson(answer);
      const { defaults, principals } = answer;
      printLines(
        table(
          ['principal', 'requests/s', 'produced bytes/s'],
          [
            ['(default)', limit(defaults.requests_per_sec, undefined), limit(defaults.produce_bytes_per_sec, undefined)],
            ...principals.map((p) => [p.principal, limit(p.requests_per_sec, defaults.requests_per_sec), limit(p.produce_bytes_per_sec, defaults.produce_bytes_per_sec)]),
          ],
        ),
      );
    });

  quotas
    .command('set')
    .description('give a principal quotas of its own (0: no limit); what is not given stays the default')
    .argument('<principal>')
    .option('--requests-per-sec <n>', '(required: this, --produce-bytes-per-sec or both) requests per second', integerIn(0, 1024 ** 4))
    .option('--produce-bytes-per-sec <n>', '(required: this, --requests-per-sec or both) bytes of /write bodies per second', integerIn(0, 1024 ** 4))
    .action(async function (this: Command, principal: string, options: { requestsPerSec?: number; produceBytesPerSec?: number }) {
      const context = contextOf(this);
      if (options.requestsPerSec === undefined && options.produceBytesPerSec === undefined) {
        throw usageError('give --requests-per-sec, --produce-bytes-per-sec or both');
      }
      const body = { requests_per_sec: options.requestsPerSec, produce_bytes_per_sec: options.produceBytesPerSec };
      const answer = await context.brokerClient().request<Quota>('PUT', path`/quotas/${principal}`, { body });
      if (context.json) return printJson(answer);
      const own = (value: number | undefined) => (value === undefined ? 'the default' : value === 0 ? 'no limit' : String(value));
      printLines(`quotas of ${principal}: ${own(answer.requests_per_sec)} requests/s, ${own(answer.produce_bytes_per_sec)} produced bytes/s`);
    });

  quotas
    .command('remove')
    .description('put a principal back on the default quotas')
    .argument('<principal>')
    .action(async function (this: Command, principal: string) {
      const context = contextOf(this);
      const answer = await context.brokerClient().delete<{ principal: string; removed: boolean }>(path`/quotas/${principal}`);
      if (context.json) return printJson(answer);
      printLines(answer.removed ? `${principal} is back on the default quotas` : `${principal} had no quotas of its own`);
    });

  return quotas;
}
