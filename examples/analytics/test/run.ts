// Runs the example's BUILT scripts (dist/, which `npm test` builds first with tsc -b) as a user would, with
// the stack's addresses in the environment: to completion, or in the background until stopped.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function script(name: string): string {
  const path = fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
  expect(existsSync(path), `${path} is not built: npx tsc -b`).toBe(true);
  return path;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { TRIBUTARY_API_KEY: _key, PORT: _port, ...inherited } = process.env;
  return { ...inherited, ...env };
}

export function runScript(name: string, args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script(name), ...args], { env: childEnv(env), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

/** A script running in the background; `stop()` sends SIGTERM and resolves with how it ended. */
export class Background {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Result>;

  constructor(name: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [script(name)], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  async stop(): Promise<Result> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
