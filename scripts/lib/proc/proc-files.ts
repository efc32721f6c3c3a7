// Readers of Linux's per-process files: CPU time from /proc/<pid>/stat, memory from
// /proc/<pid>/status and /proc/<pid>/smaps_rollup. The parsers are pure; the readers answer
// undefined for a process that is gone (or unreadable) instead of throwing.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** User and system CPU of the process itself (all its threads), in clock ticks. */
  cpuTicks: number;
  /** CPU of its children that ended and were waited for, in clock ticks. */
  childrenCpuTicks: number;
  /** Clock ticks after boot when it started: a pid with another start time is another process. */
  startTime: number;
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses: it ends at the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open)
    throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // rest[0] is field 3 (state) of proc(5); field n is rest[n - 3].
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    cpuTicks: field(14) + field(15),
    childrenCpuTicks: field(16) + field(17),
    startTime: field(22),
  };
}

/** A `Name:   1234 kB` line of /proc/<pid>/status or smaps_rollup, in bytes; undefined when absent. */
export function kilobytesField(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

async function readProcFile(pid: number, file: string): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readProcFile(pid, 'stat');
  return text === undefined ? undefined : parseStat(text);
}

export interface ProcMemory {
  /** Resident set size (VmRSS): shared pages count in every process that maps them. */
  rssBytes: number;
  /** Proportional set size: shared pages split between the processes that map them. */
  pssBytes: number | undefined;
}

export async function readMemory(pid: number): Promise<ProcMemory | undefined> {
  const [status, rollup] = await Promise.all([
    readProcFile(pid, 'status'),
    readProcFile(pid, 'smaps_rollup'),
  ]);
  const rssBytes = status === undefined ? undefined : kilobytesField(status, 'VmRSS');
  if (rssBytes === undefined) return undefined;
  return { rssBytes, pssBytes: rollup === undefined ? undefined : kilobytesField(rollup, 'Pss') };
}

export async function readCmdline(pid: number): Promise<string[] | undefined> {
  const text = await readProcFile(pid, 'cmdline');
  return text?.split('\0').filter((part) => part !== '');
}

/** Every process's pid, from the numeric entries of /proc. */
export async function listPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
}

let clockTicks: number | undefined;

/** Clock ticks per second of the times in /proc/<pid>/stat (USER_HZ, 100 on Linux nearly always). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}
