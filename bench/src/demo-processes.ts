// The example applications' built entry points as child processes of the bench (examples/*/dist, as their
// own tests start them), and headless Chromium holding the demo's pages open. Each process is watched
// through /proc for its CPU; the bench stops all of them at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type BrowserContext } from 'playwright-core';
import { stopChild } from '@tributary/local-stack';
import { cpuSecondsOf, processTree } from './machine.js';

type Env = Record<string, string | undefined>;

/** examples/<example>/dist/<script>.js; the examples are built by `npx tsc -b` with everything else. */
export function exampleScript(example: string, script: string): string {
  const path = fileURLToPath(new URL(`../../examples/${example}/dist/${script}.js`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: build the examples first (npx tsc -b)`);
  return path;
}

export interface DemoProcess {
  readonly name: string;
  readonly child: ChildProcess;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** Starts `node script` with `env`; its output goes to `say`, except lines `quiet` matches (progress chatter). */
export function startNode(name: string, script: string, env: Env, say: (line: string) => void, quiet?: RegExp): DemoProcess {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      if (!quiet?.test(line)) say(`[${name}] ${line}`);
    });
  }
  return { name, child, cpuSeconds: () => cpuSecondsOf(child.pid), stop: () => stopChild(child) };
}

/** Until `url` answers 200, or throws after `timeoutMs` (or when the process behind it has exited). */
export async function waitOk(url: string, timeoutMs: number, process?: DemoProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process && process.child.exitCode !== null) throw new Error(`${process.name} exited (${process.child.exitCode}) while starting`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export interface DemoBrowser {
  context: BrowserContext;
  /** CPU seconds of every Chromium process (browser, renderers, GPU and utility processes) now alive. */
  cpuSeconds(): Map<number, number>;
  close(): Promise<void>;
}

const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Debian's chromium, headless, with the flags the web console's test launches it with. */
export async function launchChromium(): Promise<DemoBrowser> {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: install Debian's chromium, or set CHROMIUM_PATH`);
  const profile = mkdtempSync(join(tmpdir(), 'tributary-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 860 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    cpuSeconds() {
      // Playwright does not hand out the browser's pid: Chromium's processes are the bench's descendants
      // named chrom*.
      const seconds = new Map<number, number>();
      for (const pid of processTree(process.pid)) {
        let comm = '';
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8');
        } catch {
          continue;
        }
        const cpu = comm.startsWith('chrom') ? cpuSecondsOf(pid) : undefined;
        if (cpu !== undefined) seconds.set(pid, cpu);
      }
      return seconds;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
