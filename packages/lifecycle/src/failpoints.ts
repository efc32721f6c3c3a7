// Failpoints: named places in the code where a fault-injection run (npm run chaos, the fault
// tests) makes a process fail on purpose, e.g. die between storing a prediction and enqueueing it.
// They are read from PREDICTQ_FAILPOINTS only outside production, and cost one Map lookup when off.
//
//   PREDICTQ_FAILPOINTS="submit.after-insert=0.01,score.crash-on-budget=777.5"
//
// A number in [0, 1] is a probability per pass, `every:N` fires on every N-th pass; any other
// value is an argument the failpoint's site interprets.

export class Failpoints {
  private readonly points: ReadonlyMap<string, string>;
  private readonly passes = new Map<string, number>();

  constructor(spec: string | undefined, production: boolean) {
    const points = new Map<string, string>();
    if (spec && production) {
      throw new Error('PREDICTQ_FAILPOINTS is refused when NODE_ENV=production');
    }
    for (const part of (spec ?? '').split(',')) {
      const [name, value = '1'] = part.split('=').map((s) => s.trim());
      if (name) points.set(name, value);
    }
    this.points = points;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): Failpoints {
    return new Failpoints(env.PREDICTQ_FAILPOINTS, env.NODE_ENV === 'production');
  }

  get enabled(): boolean {
    return this.points.size > 0;
  }

  /** The failpoint's argument, or undefined when it is off. */
  value(name: string): string | undefined {
    return this.points.get(name);
  }

  /** Whether a probability (or every:N) failpoint fires on this pass. */
  fires(name: string, random: () => number = Math.random): boolean {
    const value = this.points.get(name);
    if (value === undefined) return false;
    const every = /^every:(\d+)$/.exec(value);
    if (every) {
      const pass = (this.passes.get(name) ?? 0) + 1;
      this.passes.set(name, pass);
      return pass % Number(every[1]) === 0;
    }
    const p = Number(value);
    return Number.isFinite(p) && random() < p;
  }
}

/** Dies at once, as kill -9 would: no shutdown step, no flush, no exit handler. */
export function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered asynchronously; never return into the caller meanwhile.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
}
