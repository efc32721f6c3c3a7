// The simulated users: each runs sessions one after another until the run has had its sessions
// or is stopped. Session k always draws from the k-th generator forked from the seed, whichever
// user runs it and whenever: the same seed gives the same requests and decisions, whatever the
// timing and the number of users.
import { createRng, type Rng } from '@predictq/random';

import type { StopReason } from './report';
import { runSession, type SessionContext } from './session';

export interface RunnerOptions {
  parallel: number;
  /** 0 = until stopped. */
  sessions: number;
  seed: number;
  /** Aborted by stop(); the caller may hand its signal to whatever else must stop with it. */
  stopping: AbortController;
}

export class TrafficRunner {
  private readonly root: Rng;
  private readonly stopping: AbortController;
  private started = 0;
  private reason: StopReason | undefined;

  constructor(
    private readonly context: Omit<SessionContext, 'stop'>,
    private readonly options: RunnerOptions,
  ) {
    this.root = createRng(options.seed);
    this.stopping = options.stopping;
  }

  /** Aborted once the run stops: sessions end at their next step. */
  get stopSignal(): AbortSignal {
    return this.stopping.signal;
  }

  get stoppedBy(): StopReason {
    return this.reason ?? 'sessions';
  }

  /** Starts no further request or session; the first reason given is kept. */
  stop(reason: StopReason): void {
    if (this.stopping.signal.aborted) return;
    this.reason = reason;
    this.stopping.abort();
  }

  /** Resolves when every user has finished. */
  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.parallel }, () => this.user()));
  }

  /** The next session's number and generator, or undefined when there is none to run. */
  private next(): { index: number; rng: Rng } | undefined {
    if (this.stopping.signal.aborted) return undefined;
    if (this.options.sessions > 0 && this.started >= this.options.sessions) return undefined;
    // Synchronous: numbers and forks are handed out in the same order on every run.
    const index = this.started++;
    return { index, rng: this.root.fork() };
  }

  private async user(): Promise<void> {
    const context = { ...this.context, stop: this.stopping.signal };
    for (let session = this.next(); session; session = this.next()) {
      const outcome = await runSession(context, session.index, session.rng);
      context.stats.sessions[outcome] += 1;
    }
  }
}
