// A platform process under a supervisor, as an orchestrator would run it: started with tsx like
// `npm start`, restarted after a delay whenever it dies (a crash, a kill -9, a failpoint), until
// the supervisor stops it. Its output is kept quiet: JSON lines are parsed for the few the chaos
// run needs.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { readJsonLines } from '../platform/platform-processes';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly listeners: ((line: Record<string, unknown>) => void)[] = [];
  /** Times the process died and was started again. */
  restarts = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: () => NodeJS.ProcessEnv,
    private readonly restartDelayMs: number,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  onLine(listener: (line: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, this.entry)], {
      cwd: ROOT,
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    readJsonLines(child.stdout, (line) => {
      for (const listener of this.listeners) listener(line);
    });
    child.stderr?.resume();
    child.on('exit', () => {
      if (this.stopping || this.child !== child) return;
      this.restarts += 1;
      setTimeout(() => {
        if (!this.stopping) this.start();
      }, this.restartDelayMs).unref();
    });
  }

  /** A log line matching `match`, from now on. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs: number) {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no such log line in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.onLine((line) => {
        if (match(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      });
    });
  }

  /** kill -9: the supervisor starts it again. */
  kill(): void {
    if (this.alive) this.child?.kill('SIGKILL');
  }

  /** Stops it for good (SIGTERM, then SIGKILL after the grace). */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
