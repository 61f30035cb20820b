// The command line itself: help, version, and usage errors (exit 2). No services needed: a usage error is
// reported before any request is sent.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, tributary } from './harness.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('tributary --help', () => {
  it('lists every command, with examples and the exit codes', async () => {
    const result = await tributary(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const command of ['topics', 'produce', 'consume', 'tail', 'groups', 'subscriptions', 'cluster', 'up']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('Exit codes: 0 success, 1 the server refused or failed');
  });

  it.each([
    [['topics', '--help'], ['list', 'create', 'describe', 'delete']],
    [['topics', 'create', '--help'], ['-p, --partitions <n>    (required) number of partitions', '--retention <duration>', '--max-record-bytes <n>', '--json']],
    [['produce', '--help'], ['-k, --key <key>', 'key<TAB>value']],
    [['consume', '--help'], ['--email <email>', '--key <key>', '--partition <n>', '--group <group>', '--follow', '--from <where>', '--max <n>']],
    [['tail', '--help'], ['--partition <n>', '--from <where>', '--follow']],
    [['groups', '--help'], ['list', 'describe', 'reset-offsets', 'delete']],
    [['help', 'cluster'], ['Redis and ZooKeeper health']],
  ])('%j shows the command’s options', async (args, expected) => {
    const result = await tributary(args);
    expect(result.code).toBe(0);
    for (const text of expected) expect(result.stdout).toContain(text);
  });

  it.each([
    [['consume', '--help'], ['--email <email>      (required: this or --group)', '--group <group>      (required: this or --email)']],
    [['groups', 'reset-offsets', '--help'], ['(required: this or --offset)', '(required: this or --to)']],
    [['quotas', 'set', '--help'], ['(required: this, --produce-bytes-per-sec or both)', '(required: this, --requests-per-sec or both)']],
  ])('%j marks options of which one is required', async (args, expected) => {
    const result = await tributary(args);
    expect(result.code).toBe(0);
    // Help wraps long descriptions: compare with the line breaks and indents taken out.
    const text = result.stdout.replace(/\n +/g, ' ');
    for (const mark of expected) expect(text).toContain(mark);
  });

  it('--version prints the version', async () => {
    expect(await tributary(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  // `--no`: never fetch a package of that name from the registry if the link is missing; `--`: the --help is ours.
  it('works as `npx tributary` from the repo root (the workspace bin is linked by npm install)', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no', '--', 'tributary', '--help'], { cwd: repoRoot });
    expect(stdout).toMatch(/^Usage: tributary /);
  });
});

describe('usage errors exit 2, print nothing on stdout, and send nothing', () => {
  it.each([
    [[], /Usage: tributary/],
    [['frobnicate'], /error: unknown command 'frobnicate'/],
    [['topics', 'list', '--colour'], /error: unknown option '--colour'/],
    [['produce'], /error: missing required argument 'topic'/],
    [['produce', 't', 'v', 'extra'], /error: too many arguments/],
    [['topics', 'create', 'x', '-p', '-1'], /argument '-1' is invalid/],
    [['topics', 'create', 'x', '-p', '2', '--retention', '2 weeks'], /"2 weeks" is not a duration/],
    [['--broker', 'localhost:4000', 'topics', 'list'], /"localhost:4000" must be an http:\/\/ or https:\/\/ URL/],
    [['--broker', 'nope', 'topics', 'list'], /"nope" is not a URL/],
    [['subscriptions'], /error: missing required argument 'email'/],
  ])('%j', async (args, message) => {
    // A broker URL nothing listens on: were a request sent, the exit code would be 1, not 2.
    const result = await tributary(args, { env: { TRIBUTARY_BROKER: 'http://127.0.0.1:9', TRIBUTARY_GATEWAY: 'http://127.0.0.1:9' } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  // script(1) gives the CLI a pseudo-terminal for stdout and stderr.
  it.each([
    [['frobnicate'], 2],
    [['--broker', 'http://127.0.0.1:9', 'topics', 'list'], 1],
  ])('%j: "error:" is red on a terminal, plain with NO_COLOR or when piped', async (args, code) => {
    const command = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(' ');
    const onTerminal = async (env: Record<string, string>) => {
      const { TERM: _term, NO_COLOR: _noColor, ...inherited } = process.env;
      try {
        return (await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { ...inherited, TERM: 'xterm', ...env } })).stdout;
      } catch (err) {
        // -e: script exits with the CLI's code, which is not 0 here.
        expect((err as { code: number }).code).toBe(code);
        return (err as { stdout: string }).stdout;
      }
    };
    expect(await onTerminal({})).toMatch(/^\x1b\[31merror:\x1b\[39m /);
    expect(await onTerminal({ NO_COLOR: '1' })).toMatch(/^error: /);
    const piped = await tributary(args);
    expect(piped.code).toBe(code);
    expect(piped.stderr).toMatch(/^error: /);
  });

  it('a bad URL in the environment is a usage error too', async () => {
    const result = await tributary(['topics', 'list'], { env: { TRIBUTARY_BROKER: 'ftp://example' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("value 'ftp://example' from env 'TRIBUTARY_BROKER' is invalid");
  });
});
