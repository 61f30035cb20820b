// Runs the BUILT `tributary` binary (run `npx tsc -b` first) as a child process against a real broker and
// gateway, built in-process on the test run's Redis and ZooKeeper with a ZooKeeper root of their own.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import type { Config } from '@tributary/core';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

export const BIN = fileURLToPath(new URL('../bin/tributary.js', import.meta.url));

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed (an empty, non-terminal stdin when not given). */
  input?: string;
  env?: Record<string, string>;
}

/** The environment without anything that would point the CLI elsewhere than the test says. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { TRIBUTARY_BROKER: _broker, TRIBUTARY_GATEWAY: _gateway, TRIBUTARY_API_KEY: _apiKey, ...env } = process.env;
  // A `tributary up` of a test takes any free port for its Kafka listener, never 9092, which another may hold.
  return { KAFKA_PORT: '0', ...env, ...extra };
}

/** A running `tributary` process whose output is collected as it comes. */
export class Child {
  readonly process: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Result>;

  constructor(command: string, args: readonly string[], env?: Record<string, string>) {
    this.process = spawn(command, args, { env: childEnv(env), stdio: 'pipe' });
    this.process.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // The CLI may exit before reading all its input (a bad line): that is not the test's failure.
    this.process.stdin.on('error', () => {});
    this.exited = new Promise((resolve, reject) => {
      this.process.once('error', reject);
      this.process.once('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Complete stdout lines so far. */
  get lines(): string[] {
    return this.stdout.split('\n').slice(0, -1);
  }

  async waitForOutput(what: string, probe: (child: Child) => boolean, timeoutMs = 20_000): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    try {
      await waitFor(
        () => {
          if (probe(this)) return true;
          if (exited) throw new Error('tributary exited');
          return false;
        },
        { timeoutMs, what },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- stdout:\n${this.stdout.slice(-2000)}\n--- stderr:\n${this.stderr.slice(-2000)}`, { cause: err });
    }
  }
}

export function spawnTributary(args: readonly string[], env?: Record<string, string>): Child {
  return new Child(process.execPath, [BIN, ...args], env);
}

export async function tributary(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  const child = spawnTributary(args, options.env);
  child.process.stdin.end(options.input ?? '');
  return child.exited;
}

/** A broker and a gateway sharing one ZooKeeper root, and the CLI pointed at them. */
export class Cluster {
  private constructor(
    readonly broker: Broker,
    readonly gateway: Gateway,
    readonly brokerUrl: string,
    readonly gatewayUrl: string,
  ) {}

  /** `overrides` apply to both services (AUTH=on, TLS). */
  static async start(overrides: Partial<Config> = {}): Promise<Cluster> {
    const zookeeperRoot = `/${uniqueName('cli')}`;
    const broker = await createBroker(testConfig({ zookeeperRoot, ...overrides }));
    const gateway = await createGateway(testConfig({ zookeeperRoot, ...overrides }));
    const [b, g] = await Promise.all([broker.listen(), gateway.listen()]);
    const scheme = overrides.tlsCertFile ? 'https' : 'http';
    return new Cluster(broker, gateway, `${scheme}://${b.host}:${b.port}`, `${scheme}://${g.host}:${g.port}`);
  }

  get urls(): string[] {
    return ['--broker', this.brokerUrl, '--gateway', this.gatewayUrl];
  }

  run(args: readonly string[], options?: RunOptions): Promise<Result> {
    return tributary([...this.urls, ...args], options);
  }

  /** Like run(), for commands that must succeed: fails the test with the CLI's stderr otherwise. */
  async ok(args: readonly string[], options?: RunOptions): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`tributary ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    return result.stdout;
  }

  async json<T = any>(args: readonly string[], options?: RunOptions): Promise<T> {
    return JSON.parse(await this.ok(['--json', ...args], options)) as T;
  }

  spawn(args: readonly string[]): Child {
    return spawnTributary([...this.urls, ...args]);
  }

  /** Creates a topic through the CLI and waits until the gateway, which learns of it by a watch, knows it. */
  async createTopic(partitions = 3, name = uniqueName('topic')): Promise<string> {
    await this.ok(['topics', 'create', name, '-p', String(partitions)]);
    await waitFor(() => this.gateway.topics.get(name), { what: `the gateway to see topic ${name}` });
    return name;
  }

  async close(): Promise<void> {
    await Promise.all([this.gateway.close(), this.broker.close()]);
  }
}
