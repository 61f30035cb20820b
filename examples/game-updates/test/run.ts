// Runs the example's BUILT scripts (dist/, which `npm test` builds first with tsc -b) as a user would, with
// the stack's addresses in the environment.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function script(name: string): string {
  const path = fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
  expect(existsSync(path), `${path} is not built: npx tsc -b`).toBe(true);
  return path;
}

export function runScript(name: string, args: string[], env: Record<string, string>): Promise<Result> {
  const { TRIBUTARY_API_KEY: _key, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script(name), ...args], { env: { ...inherited, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}
