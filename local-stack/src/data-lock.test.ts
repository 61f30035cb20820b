import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLocked, lockDataDir } from './data-lock.js';
import { runLocalStack } from './stack.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'tributary-lock-'));

describe('one stack per data directory', () => {
  it('refuses a second lock while the first holder runs, naming its pid and where it answers', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir);
    lock.update({ broker_url: 'http://localhost:4000', gateway_url: 'http://localhost:5000' });
    expect(() => lockDataDir(dir)).toThrow(DataDirLocked);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`process ${process.pid}, .*broker http://localhost:4000, gateway http://localhost:5000`));
    lock.release();
    expect(existsSync(join(dir, 'tributary.lock'))).toBe(false);
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = dataDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeFileSync(join(dir, 'tributary.lock'), JSON.stringify({ pid: gone, started_at: '2020-01-01T00:00:00.000Z' }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('makes runLocalStack refuse at once, before starting any server', async () => {
    const dir = dataDir();
    const lock = lockDataDir(dir);
    const said: string[] = [];
    const started = Date.now();
    await expect(runLocalStack({ dataDir: dir, env: {}, say: (line) => said.push(line) })).rejects.toThrow(/already running on .*process \d+/);
    expect(said).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    lock.release();
  });
});
