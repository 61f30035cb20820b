// `tributary demo` (`npm run demo`): the local stack of `tributary up` (same data directory and lock, same
// quick start), then the example applications on it as child processes, their output prefixed as `up`
// prefixes its services'. Ctrl-C or SIGTERM stops the examples first, while the gateway still answers their
// consumer groups' leaving, then the stack. A part that dies stops everything, as a service does in `up`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { stopChild, type LocalStack } from '@tributary/local-stack';
import { contextOf } from './context.js';
import { demoExamples, EXAMPLES_DIR, type DemoExample, type DemoPart } from './demo-examples.js';
import { CliError, usageError } from './errors.js';
import { note } from './output.js';

const THROTTLE_MS = 10_000;
/** How long a part's one-shot step (a follow) is tried again before the demo gives up. */
const STEP_PATIENCE_MS = 60_000;
/** How long the URLs wait for the examples' pages to answer before they are printed anyway. */
const PAGE_PATIENCE_MS = 60_000;

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the local stack of `up` and the example applications on it (leaderboard, analytics, game updates, event bus) until Ctrl-C')
    .option('--rate <n>', 'events per second of each simulator (leaderboard, analytics)', '200')
    .addHelpText(
      'after',
      `
The examples' pages listen on LEADERBOARD_PORT (default 8000), ANALYTICS_PORT (8501) and EVENT_BUS_PORT
(8090); the stack takes the settings of \`tributary up\` (TRIBUTARY_DATA, BROKER_PORT, GATEWAY_PORT, ...).`,
    )
    .action(async function (this: Command) {
      if (contextOf(this).json) throw usageError('demo prints for people only: --json is not supported');
      const { rate: rateText = '200' } = this.opts<{ rate?: string }>();
      const rate = Number(rateText);
      if (!/^\d+$/.test(rateText) || rate < 1 || rate > 100_000) throw usageError(`--rate takes 1 to 100000 events per second, not "${rateText}"`);
      const leaderboardPort = portFromEnv('LEADERBOARD_PORT', 8000);
      const analyticsPort = portFromEnv('ANALYTICS_PORT', 8501);
      const eventBusPort = portFromEnv('EVENT_BUS_PORT', 8090);
      await runDemo({ rate, leaderboardPort, analyticsPort, eventBusPort });
    });
}

function portFromEnv(variable: string, fallback: number): number {
  const text = process.env[variable];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) throw usageError(`${variable} takes a port from 1 to 65535, not "${text}"`);
  return port;
}

async function runDemo(settings: { rate: number; leaderboardPort: number; analyticsPort: number; eventBusPort: number }): Promise<void> {
  // The URLs are not known before the stack runs; these only say which scripts and ports the examples need.
  const planned = demoExamples({ brokerUrl: '', gatewayUrl: '', redisUrl: '', ...settings });
  const missing = planned.flatMap((example) => example.parts).filter((part) => !existsSync(join(EXAMPLES_DIR, part.script)));
  if (missing.length > 0) {
    throw new CliError(`the examples are not built (no examples/${missing[0]!.script}): run \`npx tsc -b\`, or \`npm run demo\`, which builds everything`);
  }
  const { isPortFree, quickStart, runLocalStack } = await import('@tributary/local-stack');
  for (const example of planned) {
    for (const { port, variable } of example.ports) {
      if (!(await isPortFree(port, '0.0.0.0'))) throw new CliError(`port ${port} for the ${example.name} example is in use; stop what uses it or set ${variable}`);
    }
  }

  // From here on a signal stops the demo, even one that arrives while the stack is still starting.
  let onSignal = () => {};
  const interrupted = new Promise<void>((resolve) => (onSignal = resolve));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let signalled = false;
  void interrupted.then(() => (signalled = true));

  let stack: LocalStack;
  try {
    stack = await runLocalStack({ stopOnSignals: false });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const stopStack = async () => {
    await stack.stop();
    note('Tributary stopped.');
  };
  if (signalled) return stopStack();
  if (stack.redisUrl === undefined) {
    await stack.stop();
    throw new CliError('the examples keep their data in a single Redis: unset REDIS_CLUSTER_NODES for the demo');
  }
  note(quickStart(stack));

  const examples = demoExamples({ brokerUrl: stack.brokerUrl, gatewayUrl: stack.gatewayUrl, redisUrl: stack.redisUrl, ...settings });
  const parts = new Parts(onSignal);
  for (const example of examples) {
    for (const part of example.parts) parts.start(part);
  }

  let failure: Error | undefined;
  let over = false;
  try {
    // The URLs once they answer, so that the first click works (and never after a Ctrl-C meanwhile).
    const pages = examples.flatMap((example) => example.pages);
    const listed = answering(pages, () => over).then((late) => {
      if (!over) note(urls(stack, examples, late));
    });
    await Promise.race([interrupted, stack.done, parts.failed, listed]);
    await Promise.race([interrupted, stack.done, parts.failed]);
  } catch (err) {
    failure = err as Error;
  }
  over = true;
  note('stopping the examples...');
  await parts.stop();
  await stopStack();
  if (failure) throw new CliError(failure.message);
}

/** Waits (up to PAGE_PATIENCE_MS, or until `over`) until every page answers 200; resolves with those that did not. */
async function answering(pages: string[], over: () => boolean): Promise<string[]> {
  const deadline = Date.now() + PAGE_PATIENCE_MS;
  let waiting = pages;
  while (waiting.length > 0 && Date.now() < deadline && !over()) {
    const answers = await Promise.all(
      waiting.map((page) =>
        fetch(page, { signal: AbortSignal.timeout(2_000) }).then(
          async (response) => {
            await response.body?.cancel();
            return response.status === 200;
          },
          () => false,
        ),
      ),
    );
    waiting = waiting.filter((_page, i) => !answers[i]);
    if (waiting.length > 0) await sleep(250);
  }
  return waiting;
}

/** Every URL there is to open, once everything runs. */
function urls(stack: { brokerUrl: string; gatewayUrl: string }, examples: DemoExample[], late: string[]): string {
  const rows: Array<[string, string]> = [
    ['web console', `${stack.brokerUrl}/ui   (the examples' topics and consumer groups, their lag)`],
    ['API docs', `${stack.brokerUrl}/docs and ${stack.gatewayUrl}/docs`],
    ...examples.flatMap((example) => example.links.map(({ label, text }): [string, string] => [label, text])),
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return [
    '',
    'The examples are running.',
    ...rows.map(([label, text]) => `  ${label.padEnd(width)}${text}`),
    '',
    ...(late.length > 0 ? [`Not answering yet: ${late.join(', ')} (see their output above).`] : []),
    `How each works: ${examples.map((example) => example.readme).join(', ')}`,
    'Ctrl-C stops the examples, then the stack.',
    '',
  ].join('\n');
}

/** The examples' processes: started, watched, and stopped together. */
class Parts {
  private readonly children = new Set<ChildProcess>();
  private stopping = false;
  private fail: (err: Error) => void = () => {};
  /** Rejects when a part exits before stop() (or a one-shot step never succeeds). */
  readonly failed = new Promise<never>((_resolve, reject) => (this.fail = reject));

  /**
   * @param interrupt stops the demo as Ctrl-C does. In a terminal Ctrl-C reaches every process of the
   * group, and a part without a handler of its own dies of it maybe before this process hears of it.
   */
  constructor(private readonly interrupt: () => void) {
    // Nobody awaits `failed` after stop(): a late rejection must not become an unhandled one.
    this.failed.catch(() => {});
  }

  start(part: DemoPart): void {
    void this.run(part).catch((err: Error) => this.fail(err));
  }

  private async run(part: DemoPart): Promise<void> {
    for (const args of part.before ?? []) await this.step(part, args);
    if (this.stopping) return;
    const child = this.spawn(part, part.args ?? []);
    note(`started ${part.name} (pid ${child.pid})`);
    let lastShown = -Infinity;
    this.prefix(child, part.name, (line) => {
      if (!part.throttle?.test(line)) return true;
      if (Date.now() - lastShown < THROTTLE_MS) return false;
      lastShown = Date.now();
      return true;
    });
    const [code, signal] = (await new Promise((resolve) => child.once('exit', (...exit) => resolve(exit)))) as [number | null, string | null];
    if (this.stopping) return;
    if (signal === 'SIGINT') return this.interrupt();
    throw new Error(`the ${part.name} exited (${signal ?? `code ${code}`}); demo stopped`);
  }

  /** Runs a one-shot command of the part's script until it exits 0; shows its output once it has. */
  private async step(part: DemoPart, args: string[]): Promise<void> {
    const deadline = Date.now() + STEP_PATIENCE_MS;
    for (;;) {
      if (this.stopping) return;
      const child = this.spawn(part, args);
      let output = '';
      for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      const lines = output.split('\n').filter((line) => line !== '');
      if (code === 0) {
        for (const line of lines) process.stdout.write(`[${part.name}] ${line}\n`);
        return;
      }
      if (Date.now() > deadline) throw new Error(`${part.name} ${args.join(' ')} failed for ${STEP_PATIENCE_MS / 1000} s: ${lines.at(-1) ?? `code ${code}`}`);
      await sleep(1_000);
    }
  }

  private spawn(part: DemoPart, args: string[]): ChildProcess {
    const script = join(EXAMPLES_DIR, part.script);
    const child = spawn(process.execPath, [script, ...args], {
      cwd: join(EXAMPLES_DIR, part.script.split('/')[0]!),
      env: { ...process.env, ...part.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  private prefix(child: ChildProcess, name: string, show: (line: string) => boolean): void {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (show(line)) process.stdout.write(`[${name}] ${line}\n`);
      });
    }
  }

  /** SIGTERM to every part at once (consumers leave their groups), SIGKILL to any still there after 10 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children].map((child) => stopChild(child)));
  }
}

