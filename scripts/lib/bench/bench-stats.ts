// What one measured window of the benchmark counts: sessions by how they ended, failed requests
// by kind, and latency samples on the client's clock (each request kind, the result in hand,
// the whole session) next to the server's (created_at to completed_at).
import { ApiError, NetworkError } from '@predictq/client';

export type Sample =
  /** Submit sent (or, open loop, the session's scheduled start) to the ranking in hand. */
  | 'resultInHand'
  /** The same start to the feedback's answer: the whole session. */
  | 'session'
  | 'submit'
  /** Every GET of the prediction (a long poll lasts until the prediction ends). */
  | 'result'
  | 'feedback'
  /** The server's clock: the prediction's created_at to its completed_at. */
  | 'server'
  /** Open loop: how late the load generator started a session after its scheduled time. */
  | 'startLag';

export const SAMPLES: readonly Sample[] = [
  'resultInHand',
  'session',
  'submit',
  'result',
  'feedback',
  'server',
  'startLag',
];

export class WindowStats {
  readonly sessions = {
    started: 0,
    completed: 0,
    predictionFailed: 0,
    errored: 0,
    /** Still in flight when the drain after the window ran out. */
    unfinished: 0,
    /** Open loop: not started, because the cap of sessions in flight was reached. */
    dropped: 0,
    /** Open loop: started more than LATE_MS after the scheduled time (still measured from it). */
    late: 0,
  };
  requests = 0;
  /** After close(), sessions still running count as unfinished and record nothing more. */
  private closed = false;
  readonly errors: Record<string, number> = {};
  readonly samples = Object.fromEntries(SAMPLES.map((s) => [s, [] as number[]])) as Record<
    Sample,
    number[]
  >;

  record(sample: Sample, ms: number): void {
    if (!this.closed) this.samples[sample].push(ms);
  }

  end(outcome: 'completed' | 'predictionFailed' | 'errored'): void {
    if (!this.closed) this.sessions[outcome] += 1;
  }

  /** Counts the sessions still in flight as unfinished; later answers are not counted. */
  close(): void {
    if (this.closed) return;
    this.sessions.unfinished = this.inFlight;
    this.closed = true;
  }

  recordError(error: unknown): void {
    if (this.closed) return;
    const kind =
      error instanceof ApiError
        ? `HTTP ${error.status} ${error.code}`
        : error instanceof NetworkError
          ? error.code
          : error instanceof Error
            ? error.name
            : 'unknown';
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  get inFlight(): number {
    const s = this.sessions;
    return s.started - s.completed - s.predictionFailed - s.errored - s.unfinished;
  }
}
