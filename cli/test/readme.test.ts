// The README's examples, run top to bottom exactly as written — only the ports differ — against `tributary
// up`, the stack `npm start` brings up: if the README drifts from what Tributary does, this fails.
//
// Every bash block of the README runs in one bash, in order, with `set -e`, so state carries from one
// example to the next as it does for a reader. `curl` is wrapped (readme-prelude.bash) to record each answer;
// a `# → …` comment under a curl command is its expected answer (`…` stands for anything; a leading status
// code is the expected status, else a 2xx), and every other curl command must answer 2xx.
//
// Left out, because they start or reconfigure a stack rather than use one: the blocks that run `npm …`,
// `tributary up` itself, and the authentication blocks (AUTH=on needs a restart with a secret; TLS needs a
// certificate): cli/test/up-security.test.ts and consumer-gateway/test/auth.test.ts cover those.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@tributary/local-stack';
import { uniqueName } from '@tributary/testkit';
import { spawnTributary, type Child } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PRELUDE = fileURLToPath(new URL('readme-prelude.bash', import.meta.url));

/** The README's bash blocks, in order. */
function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:bash|sh)\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** Judged by its commands, not its comments (the CLI's block says `up` is "the same local stack as npm start"). */
const startsOrReconfiguresAStack = (block: string) =>
  /^\s*npm (start|test|run)\b|AUTH=on|SASL_SSL/m.test(block.replace(/(^|\s)#.*$/gm, ''));

/** A curl command of the README and the answer its `# →` comment shows, if any. */
interface ExpectedCall {
  command: string;
  status?: number;
  body?: RegExp;
}

/** The curl commands of a block, in the order bash runs them, each with what its `# →` comment expects. */
function expectedCalls(block: string): ExpectedCall[] {
  const calls: ExpectedCall[] = [];
  let expectation: string | undefined;
  const settle = () => {
    const call = calls.at(-1);
    if (call && expectation !== undefined) Object.assign(call, parseExpectation(expectation));
    expectation = undefined;
  };
  for (const line of block.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('# →')) {
      settle();
      expectation = trimmed.slice('# →'.length).trim();
    } else if (expectation !== undefined && /^#\s{2,}/.test(trimmed)) {
      expectation += trimmed.replace(/^#\s+/, ''); // a continuation of the answer above
    } else {
      settle();
      if (trimmed.startsWith('#')) continue;
      const curls = trimmed.match(/(?:^|\$\(|\|)\s*curl\s/g)?.length ?? 0;
      for (let k = 0; k < curls; k++) calls.push({ command: trimmed });
    }
  }
  settle();
  return calls;
}

/** `409 {"code":…}` or `{"topic":"news",…}   prose`: the status, and the JSON as a pattern. */
function parseExpectation(text: string): Pick<ExpectedCall, 'status' | 'body'> {
  const status = /^(\d{3})\b/.exec(text)?.[1];
  const start = text.indexOf('{');
  if (start === -1 || (status === undefined && start !== 0)) return { status: status ? Number(status) : undefined };
  const json = text.slice(start, text.lastIndexOf('}') + 1);
  const pattern = json
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replaceAll('…', '[\\s\\S]*?')
    // Ids and times the README shows as examples of their form.
    .replace(/"[0-9a-f]{16}"/g, '"[0-9a-f]{16}"')
    .replace(/\d{13}/g, '\\d{13}');
  return { status: status ? Number(status) : undefined, body: new RegExp(`^${pattern}$`) };
}

interface Answer {
  status: number;
  body: string;
}

/** Runs `script` in bash with curl wrapped to record every answer; resolves with bash's output and the answers. */
function runBash(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string; answers: Answer[] }> {
  const answersFile = join(env.TRIBUTARY_DATA!, 'answers');
  return new Promise((resolve, reject) => {
    const bash = spawn('bash', ['-c', `source '${PRELUDE}'\n${script}`], { cwd: ROOT, env: { ...env, README_ANSWERS: answersFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    bash.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    bash.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    bash.once('error', reject);
    bash.once('close', (code) => {
      let lines: string[] = [];
      try {
        lines = readFileSync(answersFile, 'utf8').split('\n').filter(Boolean);
      } catch {
        // no curl ran
      }
      const answers = lines.map((line) => {
        const [status, body = ''] = line.split(' ');
        return { status: Number(status), body: Buffer.from(body, 'base64').toString('utf8') };
      });
      resolve({ code, output, answers });
    });
  });
}

describe('the README', () => {
  let up: Child;
  let dir: string;
  let env: Record<string, string>;
  let ports: { broker: number; gateway: number; kafka: number };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-readme-'));
    const free = new Set<number>();
    while (free.size < 4) free.add(await freePort());
    const [broker, gateway, kafka, redis] = [...free] as [number, number, number, number];
    ports = { broker, gateway, kafka };
    const stack = {
      TRIBUTARY_DATA: dir,
      BROKER_PORT: String(broker),
      GATEWAY_PORT: String(gateway),
      KAFKA_PORT: String(kafka),
      REDIS_PORT: String(redis),
      ZOOKEEPER_HOST: inject('zookeeperHost'),
      ZOOKEEPER_ROOT: `/${uniqueName('readme')}`,
    };
    up = spawnTributary(['up'], stack);
    await up.waitForOutput('the stack', (child) => child.stderr.includes('Tributary is up.'), 60_000);
    const { TRIBUTARY_API_KEY: _key, ...inherited } = process.env as Record<string, string>;
    env = { ...inherited, ...stack, TRIBUTARY_BROKER: `http://localhost:${broker}`, TRIBUTARY_GATEWAY: `http://localhost:${gateway}` };
  }, 90_000);

  afterAll(async () => {
    if (up) {
      up.process.kill('SIGINT');
      await up.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every example top to bottom, and each curl answers what the README shows', async () => {
    const blocks = bashBlocks(README)
      .filter((block) => !startsOrReconfiguresAStack(block))
      .map((block) =>
        block
          .split('\n')
          .filter((line) => !/^npx tributary up\b/.test(line)) // the stack this test started
          .join('\n')
          .replaceAll('localhost:4000', `localhost:${ports.broker}`)
          .replaceAll('localhost:5000', `localhost:${ports.gateway}`)
          .replaceAll('localhost:9092', `localhost:${ports.kafka}`),
      );
    // The quick start, consuming, the CLI, reading a topic, groups, replays, Kafka clients.
    expect(blocks.length).toBeGreaterThanOrEqual(7);

    const { code, output, answers } = await runBash(blocks.join('\n'), env);
    expect(code, output.slice(-4000)).toBe(0);

    const expected = blocks.flatMap(expectedCalls);
    expect(answers.length, 'curl commands run vs. curl commands in the README').toBe(expected.length);
    expected.forEach((call, i) => {
      const answer = answers[i]!;
      const what = `${call.command}\n→ ${answer.status} ${answer.body.slice(0, 600)}`;
      if (call.status !== undefined) expect.soft(answer.status, what).toBe(call.status);
      else expect.soft(answer.status >= 200 && answer.status < 300, `a 2xx for ${what}`).toBe(true);
      if (call.body) expect.soft(answer.body.trim(), what).toMatch(call.body);
    });
    // The examples that show answers were checked against them, not just run.
    expect(expected.filter((call) => call.body).length).toBeGreaterThanOrEqual(10);
  }, 180_000);
});
