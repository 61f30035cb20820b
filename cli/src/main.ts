// The `tributary` command line: the program definition and its one run. Each command group lives in its
// own file; this file wires them up with the global options and turns every outcome into an exit code:
// 0 success, 1 the server refused or failed (or could not be reached), 2 the command line was wrong.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, Option } from 'commander';
import { aclCommand } from './acl.js';
import { clusterCommand } from './cluster.js';
import { consumeCommand } from './consume.js';
import { demoCommand } from './demo.js';
import { parseServiceUrl } from './context.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
import { colourFor, paint } from './output.js';
import { groupsCommand } from './groups.js';
import { keysCommand } from './keys.js';
import { produceCommand } from './produce.js';
import { quotasCommand } from './quotas.js';
import { replayCommand, replaysCommand, statsCommand } from './replays.js';
import { subscriptionsCommand } from './subscriptions.js';
import { tailCommand } from './tail.js';
import { topicsCommand } from './topics.js';
import { upCommand } from './up.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const help = new Help();

function buildProgram(): Command {
  const program = new Command('tributary')
    .description('Manage a Tributary cluster: topics, records, subscriptions, consumer groups, and a local stack to try it on.')
    .version(version)
    .addOption(new Option('--broker <url>', 'broker URL').env('TRIBUTARY_BROKER').default('http://localhost:4000').argParser(parseServiceUrl))
    .addOption(new Option('--gateway <url>', 'consumer gateway URL').env('TRIBUTARY_GATEWAY').default('http://localhost:5000').argParser(parseServiceUrl))
    .addOption(new Option('--api-key <key>', 'API key for services with AUTH=on').env('TRIBUTARY_API_KEY'))
    .option('--ca-file <path>', 'PEM file of certificate authorities to trust for https:// URLs')
    .option('--json', 'print machine-readable JSON on stdout and nothing else')
    .addCommand(topicsCommand())
    .addCommand(produceCommand())
    .addCommand(consumeCommand())
    .addCommand(tailCommand())
    .addCommand(groupsCommand())
    .addCommand(subscriptionsCommand())
    .addCommand(clusterCommand())
    .addCommand(statsCommand())
    .addCommand(replayCommand())
    .addCommand(replaysCommand())
    .addCommand(keysCommand())
    .addCommand(aclCommand())
    .addCommand(quotasCommand())
    .addCommand(upCommand())
    .addCommand(demoCommand())
    .addHelpText(
      'after',
      `
Examples:
  tributary up                                           a local stack to try things on
  tributary demo                                         the same, with the example applications running on it
  tributary topics create orders -p 3 --retention 7d
  tributary produce orders -k user1 '{"total": 42}'
  printf 'user1\\thello\\nuser2\\tworld\\n' | tributary produce orders
  tributary consume orders --email me@example.com --key user1 --follow
  tributary consume orders --group billing --follow       as one member of a consumer group
  tributary tail orders --from 10m --follow               no subscription, nothing committed
  tributary groups describe billing
  tributary replay matches --to-group analytics --from 1h --filter '{"mode": "ranked"}' --wait
  tributary --json topics describe orders | jq '.partitions'
  tributary keys create billing-service                 with AUTH=on: shown once
  tributary acl add billing-service produce 'topic:billing.*'

Exit codes: 0 success, 1 the server refused or failed (or could not be reached), 2 usage error.`,
    );

  // addCommand() does not pass settings down (only .command() does), so apply them to every command.
  const configure = (command: Command) => {
    command
      .exitOverride()
      .showHelpAfterError('(add --help for usage)')
      // Commander's own errors (usage) look like ours: "error:" in red on a terminal.
      .configureOutput({ outputError: (text, write) => write(text.replace(/^error:/, paint('red', 'error:', colourFor(process.stderr)))) })
      .configureHelp({
        showGlobalOptions: true,
        sortSubcommands: false,
        // Commander does not mark required options in --help; a user should not learn it from an error.
        optionDescription: (option) => {
          const description = Help.prototype.optionDescription.call(help, option);
          return option.mandatory ? `(required) ${description}` : description;
        },
      });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs the command line; resolves with the exit code. */
async function run(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has already printed its message (or the help that was asked for).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    process.stderr.write(`${paint('red', 'error:', colourFor(process.stderr))} ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof CliError ? err.exitCode : EXIT_FAILURE;
  }
}

// `tributary … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await run(process.argv);
// Exit explicitly (a paused stdin or an idle keep-alive socket must not hold the process), once stdout has
// taken everything written to it.
process.stdout.write('', () => process.exit(code));
