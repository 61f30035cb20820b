// One `tributary up` per data directory: two stacks on one ./data would run two Redis servers on one
// append-only file and two ZooKeepers on one snapshot directory. The first writes <dataDir>/tributary.lock
// (exclusive create) with its pid; a second start reads it and refuses at once, before starting anything,
// naming what runs. A lock whose process is gone (a crash, kill -9) is taken over.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  started_at: string;
  /** Filled in once the services answer. */
  broker_url?: string;
  gateway_url?: string;
}

export interface DataLock {
  readonly path: string;
  /** Records where the stack's services answer, for the message a second start shows. */
  update(urls: { broker_url: string; gateway_url: string }): void;
  release(): void;
}

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.broker_url ? ` (broker ${holder.broker_url}, gateway ${holder.gateway_url})` : '';
    super(
      `a Tributary stack is already running on ${dataDir}: process ${holder.pid}, started ${holder.started_at}${where}. ` +
        `Stop it (Ctrl-C where it runs, or kill ${holder.pid}), or set TRIBUTARY_DATA to another directory.`,
    );
    this.name = 'DataDirLocked';
  }
}

export function lockDataDir(dataDir: string, pid = process.pid): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'tributary.lock');
  let holder: LockHolder = { pid, started_at: new Date().toISOString() };
  const write = (flag: 'wx' | 'w') => writeFileSync(path, `${JSON.stringify(holder)}\n`, { flag });
  for (let attempt = 0; ; attempt++) {
    try {
      write('wx');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const current = readHolder(path);
      if (current && isAlive(current.pid)) throw new DataDirLocked(dataDir, current);
      // Left by a stack that did not stop cleanly: nothing runs on it any more.
      unlinkSync(path);
    }
  }
  return {
    path,
    update(urls) {
      holder = { ...holder, ...urls };
      write('w');
    },
    release() {
      if (readHolder(path)?.pid === pid) unlinkSync(path);
    },
  };
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists, but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
