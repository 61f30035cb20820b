#!/usr/bin/env node
// The CLI runs compiled JavaScript (dist/). Right after `npm install` nothing is built yet, so the first run
// builds the workspaces (tsc -b, a few seconds; later runs find dist/ and skip this). An install script
// (prepare/postinstall) was the alternative, but it would slow every install and run in the Docker build
// before the sources are copied in.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  process.stderr.write('tributary: not built yet; building once (tsc -b)...\n');
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('tributary: TypeScript is not installed: run `npm install` in the repository first\n');
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) {
    process.stderr.write('tributary: the build failed (above); fix it, or run `npx tsc -b` to see it again\n');
    process.exit(1);
  }
}
await import(main.href);
