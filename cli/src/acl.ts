// `tributary acl add|list|remove`: what principals may do (the broker's /acls routes; README, Security).
// Operations: produce, consume, describe, admin. Resources: cluster, topic:<name>, topic:<prefix>*,
// group:<name>, group:<prefix>*.
import { Argument, Command } from 'commander';
import { path } from './client.js';
import { contextOf } from './context.js';
import type { Acl, AclList } from '@tributary/core';
import { printJson, printLines, table } from './output.js';

const operation = () => new Argument('<operation>', 'what the principal may do').choices(['produce', 'consume', 'describe', 'admin']);
const resource = () => new Argument('<resource>', "cluster, topic:<name>, topic:<prefix>*, group:<name> or group:<prefix>* (quote the *)");

export function aclCommand(): Command {
  const acl = new Command('acl').description('ACLs: which principal may do what on which resource (needs admin on cluster)');

  acl
    .command('add')
    .description('grant an operation on a resource to a principal')
    .argument('<principal>')
    .addArgument(operation())
    .addArgument(resource())
    .action(async function (this: Command, principal: string, op: string, res: string) {
      const context = contextOf(this);
      const { status } = await context.brokerClient().exchange<Acl>('PUT', path`/acls/${principal}/${op}/${res}`);
      if (context.json) return printJson({ principal, operation: op, resource: res, added: status === 201 });
      printLines(status === 201 ? `granted ${principal} ${op} on ${res}` : `${principal} already had ${op} on ${res}`);
    });

  acl
    .command('list')
    .description('every ACL, or one principal’s')
    .argument('[principal]')
    .action(async function (this: Command, principal: string | undefined) {
      const context = contextOf(this);
      const { acls } = await context.brokerClient().get<AclList>('/acls', { query: { principal } });
      if (context.json) return printJson({ acls });
      if (acls.length === 0) return printLines(principal ? `${principal} has no ACLs` : 'no ACLs');
      printLines(table(['principal', 'operation', 'resource'], acls.map((entry) => [entry.principal, entry.operation, entry.resource])));
    });

  acl
    .command('remove')
    .description('take an operation on a resource away from a principal')
    .argument('<principal>')
    .addArgument(operation())
    .addArgument(resource())
    .action(async function (this: Command, principal: string, op: string, res: string) {
      const context = contextOf(this);
      await context.brokerClient().delete(path`/acls/${principal}/${op}/${res}`);
      if (context.json) return printJson({ principal, operation: op, resource: res, removed: true });
      printLines(`removed ${op} on ${res} from ${principal}`);
    });

  return acl;
}
