#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm packages, the Redis and ZooKeeper servers (and for tests
// Chromium, which drives the web console) with apt-get on Debian as root (elsewhere it prints exactly what to
// install), builds the TypeScript and the web console. Runs before `npm start`,
// `npm test` and `npm run bench`; every step is skipped when already done. Plain Node: nothing is installed
// yet when it runs.
//
//   node scripts/bootstrap.mjs [start|test|bench]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] ?? 'start';

function say(line) {
  process.stderr.write(`[bootstrap] ${line}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    say(`failed: ${command} ${args.join(' ')}`);
    process.exit(result.status ?? 1);
  }
}

function works(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

// 1. Node itself.
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  say(`Tributary needs Node.js 20 or newer; this is ${process.version}.`);
  process.exit(1);
}

// 2. npm packages, pinned by package-lock.json.
const installedLock = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(installedLock) || statSync(lock).mtimeMs > statSync(installedLock).mtimeMs) {
  say('installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// 3. The servers: always for tests and benchmarks (they start throwaway ones), for `npm start` only when
//    the environment does not point at existing ones; for benchmarks, wrk and nats-server (NATS JetStream is
//    one of the peers measured beside Tributary).
const needRedis = purpose !== 'start' || !process.env.REDIS_HOST;
const needZooKeeper = purpose !== 'start' || !process.env.ZOOKEEPER_HOST;
const haveRedis = () => works('redis-server', ['--version']);
const haveZooKeeper = () =>
  (existsSync('/usr/share/java/zookeeper.jar') && works('java', ['-version'])) || works('sh', ['-c', 'command -v zkServer.sh']);

const missing = [];
if (needRedis && !haveRedis()) missing.push('redis-server');
if (needZooKeeper && !haveZooKeeper()) missing.push('zookeeper');
// The benchmarks drive HTTP load with wrk from another process.
if (purpose === 'bench' && !works('sh', ['-c', 'command -v wrk'])) missing.push('wrk');
// The web console's end-to-end test drives Debian's Chromium (console/test/browser.ts).
if (purpose === 'test' && !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) missing.push('chromium');
// The Kafka listener's tests drive it with kcat (librdkafka's command-line client) as well as kafkajs.
if (purpose === 'test' && !works('sh', ['-c', 'command -v kcat'])) missing.push('kcat');
// The README's examples, which a test runs as written, use curl and jq.
for (const tool of ['curl', 'jq']) if (purpose === 'test' && !works('sh', ['-c', `command -v ${tool}`])) missing.push(tool);
if (purpose === 'bench' && !works('sh', ['-c', 'command -v nats-server'])) missing.push('nats-server');
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    say(`installing ${missing.join(' and ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', ...missing], { env });
  } else {
    say(`missing: ${missing.join(', ')}. Install them, then run this command again:`);
    say(`  Debian/Ubuntu:  sudo apt-get install ${missing.join(' ')}`);
    say(`  macOS:          brew install ${missing.map((name) => (name === 'redis-server' ? 'redis' : name)).join(' ')}   (zkServer.sh must be on PATH)`);
    say('  elsewhere:      redis-server >= 6.2 and Apache ZooKeeper >= 3.6 (with Java 11+), zkServer.sh on PATH');
    if (missing.includes('chromium')) say('  Chromium:       any recent Chromium or Chrome; set CHROMIUM_PATH to its binary if it is not /usr/bin/chromium');
    say('Or point Tributary at servers you already run: REDIS_HOST/REDIS_PORT and ZOOKEEPER_HOST (npm start only).');
    process.exit(1);
  }
}

// 4. Compile (incremental: a no-op when nothing changed).
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);

// 5. The web console the broker serves at /ui: type-checked and bundled by Vite into console/dist, again
//    only when a source is newer than the build.
const consoleDir = join(root, 'console');
const newest = (path) =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;
const consoleSources = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json'].map((name) => join(consoleDir, name));
const consoleBuild = join(consoleDir, 'dist', 'index.html');
if (!existsSync(consoleBuild) || Math.max(...consoleSources.map(newest)) > statSync(consoleBuild).mtimeMs) {
  say('building the web console (console/dist)');
  run('npm', ['run', 'build', '--silent', '-w', '@tributary/console']);
}
