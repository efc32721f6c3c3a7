// Where a figure was measured: the commit (and whether the tree had changes) and the machine.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function gitInfo(cwd: string) {
  const commit = git(['rev-parse', 'HEAD'], cwd);
  const status = git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return { commit, dirty: status === null ? null : status !== '' };
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryBytes: os.totalmem(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
