// Facts about the machine and the processes under test, recorded with every result: figures mean little
// without the cores, the load and the versions they were measured with.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  host: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  /** 1, 5 and 15 minute load averages. */
  loadBefore: [number, number, number];
  loadAfter?: [number, number, number];
  uptimeBefore: string;
  uptimeAfter?: string;
  node: string;
  redis?: string;
  wrk?: string;
  redisBenchmark?: string;
  gitCommit?: string;
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    loadBefore: loadAverage(),
    uptimeBefore: uptime(),
    node: process.version,
    ...optional('wrk', firstLine('wrk', ['--version'])?.split(' [')[0]),
    ...optional('redisBenchmark', firstLine('redis-benchmark', ['--version'])),
    ...optional('gitCommit', gitCommit()),
  };
}

export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return [round2(one), round2(five), round2(fifteen)];
}

/** What `uptime` prints: the load on a shared machine is part of every figure. */
export function uptime(): string {
  return firstLine('uptime', []) ?? `load average: ${loadAverage().join(', ')}`;
}

export interface MemorySample {
  /** Resident set size now (VmRSS), MB. */
  rssMb: number;
  /** Peak resident set size since the process started (VmHWM), MB. */
  peakMb: number;
}

/** RSS of a process from /proc/<pid>/status; undefined where /proc is not there or the process is gone. */
export function memoryOf(pid: number | undefined): MemorySample | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: round1(kb('VmRSS') / 1024), peakMb: round1(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

/** A process and its descendants (the broker's workers when it runs as several processes), from /proc. */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return [pid];
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** CPU seconds of a process and all its descendants. */
export function treeCpuSecondsOf(pid: number | undefined): number | undefined {
  const values = processTree(pid).map(cpuSecondsOf);
  return values.length === 0 || values.some((v) => v === undefined) ? undefined : values.reduce((a, b) => a! + b!, 0);
}

/** The largest RSS among a process and its descendants: each broker process is held to the memory target. */
export function treeMemoryOf(pid: number | undefined): MemorySample | undefined {
  const samples = processTree(pid).map(memoryOf).filter((m): m is MemorySample => m !== undefined);
  if (samples.length === 0) return undefined;
  return { rssMb: Math.max(...samples.map((m) => m.rssMb)), peakMb: Math.max(...samples.map((m) => m.peakMb)) };
}

export const CLOCK_TICKS = Number(firstLine('getconf', ['CLK_TCK']) ?? 100) || 100;

/** CPU time (user + system, all threads) a process has used, in seconds, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is the first, utime the 12th and stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function gitCommit(): string | undefined {
  const commit = firstLine('git', ['rev-parse', '--short', 'HEAD']);
  if (!commit) return undefined;
  const dirty = (spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((line) => line.slice(3).trim())
    .filter(Boolean);
  if (dirty.length === 0) return commit;
  return `${commit} (uncommitted changes in ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''})`;
}

function firstLine(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || (result.status !== 0 && result.status !== 1)) return undefined;
  return `${result.stdout}${result.stderr}`.split('\n')[0]?.trim() || undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round2 = (x: number) => Math.round(x * 100) / 100;
