// One process of a started platform: the built JavaScript run with plain node, as the Docker
// image runs it. Its output goes to a log file; its JSON log lines are read as they come, so the
// platform can wait for the line that tells its port.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

import { readJsonLines } from './platform-processes';

export type LogLine = Record<string, unknown> & { message?: string };

export class BuiltProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly lines: LogLine[] = [];
  private readonly watchers = new Set<() => void>();
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    buildDir: string,
    entry: string,
    env: Record<string, string>,
    readonly logFile: string,
  ) {
    this.log = createWriteStream(logFile);
    // A process group of its own: a Ctrl-C at the terminal reaches the script, which then stops
    // the platform in order, not every process at once.
    // PREDICTQ_NODE_ARGS (of the script's own environment) adds node flags that NODE_OPTIONS
    // refuses, such as --cpu-prof --cpu-prof-dir=<dir> for profiles of the platform under load.
    const nodeArgs = (process.env.PREDICTQ_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, path.join(buildDir, entry)], {
      cwd: buildDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.log.write(chunk));
    readJsonLines(this.child.stdout!, (line) => {
      // Only the startup lines matter here; the rest is kept in the file.
      if (this.lines.length < 200) this.lines.push(line);
      this.notify();
    });
    this.child.stderr!.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.notify();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log line whose message is `message`, waiting up to timeoutMs for it. */
  waitForLog(message: string, timeoutMs: number): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(
          new Error(
            `${this.name} did not log "${message}" within ${timeoutMs} ms (see ${this.logFile})`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const line = this.lines.find((l) => l.message === message);
        if (!line && this.running) return;
        clearTimeout(timer);
        this.watchers.delete(check);
        if (line) resolve(line);
        else reject(new Error(`${this.name} exited before it was ready (see ${this.logFile})`));
      };
      this.watchers.add(check);
      check();
    });
  }

  /** SIGTERM (a graceful shutdown), then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(killer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private notify(): void {
    for (const watch of [...this.watchers]) watch();
  }
}
