// `tributary up`: the local stack of `npm start` (Redis, ZooKeeper, broker, gateway) in the foreground until
// Ctrl-C; with --redis-cluster, a Redis Cluster of three masters instead of the single Redis; with --brokers N,
// N broker processes sharing the broker's port (one per core is the useful most). The stack is
// imported only here (and by `tributary demo`, which runs it too), so other commands do not load it.
import { Command } from 'commander';
import { contextOf } from './context.js';
import { CliError, usageError } from './errors.js';
import { note, printJson } from './output.js';

export function upCommand(): Command {
  return new Command('up')
    .description('run Redis, ZooKeeper, a broker and a gateway locally until Ctrl-C (data in ./data or $TRIBUTARY_DATA)')
    .option('--redis-cluster', 'a Redis Cluster of three masters instead of a single Redis (on $REDIS_PORT and the next two ports, default 7000)')
    .option('--brokers <n>', 'broker processes sharing the broker port (node:cluster), e.g. one per core', '1')
    .action(async function (this: Command) {
      const context = contextOf(this);
      const { redisCluster = false, brokers: brokersText = '1' } = this.opts<{ redisCluster?: boolean; brokers?: string }>();
      const brokers = Number(brokersText);
      if (!/^\d+$/.test(brokersText) || brokers < 1 || brokers > 64) throw usageError(`--brokers takes 1 to 64 processes, not "${brokersText}"`);
      const { quickStart, runLocalStack } = await import('@tributary/local-stack');
      let stack;
      try {
        // With --json, stdout carries only the JSON answer: the services' log lines go to stderr.
        stack = await runLocalStack({ redisCluster, brokers, ...(context.json ? { serviceOutput: process.stderr } : {}) });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (context.json) printJson({ broker: stack.brokerUrl, gateway: stack.gatewayUrl });
      else note(quickStart(stack));
      try {
        await stack.done;
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      note('Tributary stopped.');
    });
}
