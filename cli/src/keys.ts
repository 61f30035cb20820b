// `tributary keys create|list|revoke`: API keys of principals (the broker's /keys routes; README, Security).
// A key is printed once, when it is created: the broker keeps only its hash.
import { Command } from 'commander';
import { path } from './client.js';
import { contextOf } from './context.js';
import { CliError } from './errors.js';
import type { KeyCreated, KeyList } from '@tributary/core';
import { note, printJson, printLines, table } from './output.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys of principals (needs admin on cluster)');

  keys
    .command('create')
    .description('make an API key for a principal and print it: it is shown only this once')
    .argument('<principal>', 'who the key acts as')
    .action(async function (this: Command, principal: string) {
      const context = contextOf(this);
      const created = await context.brokerClient().post<KeyCreated>('/keys', { body: { principal } });
      if (context.json) return printJson({ principal: created.principal, key: created.key, key_id: created.key_id, created_at: created.created_at });
      printLines(created.key);
      note(`API key ${created.key_id} for ${created.principal}: store it now, it is not shown again`);
    });

  keys
    .command('list')
    .description('every API key (its id and principal, never the key itself)')
    .option('--principal <principal>', 'only this principal’s keys')
    .action(async function (this: Command, options: { principal?: string }) {
      const context = contextOf(this);
      const { keys: list } = await context.brokerClient().get<KeyList>('/keys', { query: { principal: options.principal } });
      if (context.json) return printJson({ keys: list });
      if (list.length === 0) return printLines('no API keys');
      printLines(table(['key id', 'principal', 'created'], list.map((key) => [key.key_id, key.principal, key.created_at])));
    });

  keys
    .command('revoke')
    .description('revoke one key by its id, or every key of a principal')
    .argument('<principal-or-key-id>', 'a key id (16 hex digits, from `keys list`) or a principal')
    .action(async function (this: Command, target: string) {
      const context = contextOf(this);
      const broker = context.brokerClient();
      const { keys: list } = await broker.get<KeyList>('/keys');
      let revoked: string[];
      let principal: string;
      if (list.some((key) => key.key_id === target)) {
        const answer = await broker.delete<{ key_id: string; principal: string }>(path`/keys/${target}`);
        revoked = [answer.key_id];
        principal = answer.principal;
      } else if (list.some((key) => key.principal === target)) {
        const answer = await broker.delete<{ principal: string; revoked: string[] }>(path`/principals/${target}/keys`);
        revoked = answer.revoked;
        principal = answer.principal;
      } else {
        throw new CliError(`no API key has id "${target}", and principal "${target}" has no keys`);
      }
      if (context.json) return printJson({ principal, revoked });
      printLines(`revoked ${revoked.length === 1 ? 'key' : `${revoked.length} keys`} of ${principal}: ${revoked.join(', ')}`);
    });

  return keys;
}
