// What a traffic run counts: sessions by outcome, predictions, feedback, every failed HTTP
// attempt (by status or network error code), and the latency samples.
import { ApiError, NetworkError } from '@predictq/client';

/** How a session ended. */
export type SessionOutcome =
  /** The prediction succeeded and the user answered (chosen or none) or skipped the feedback. */
  | 'completed'
  /** The prediction ended failed (or canceled). */
  | 'prediction_failed'
  /** The user stopped polling after --max-wait. */
  | 'abandoned'
  /** A request failed for good (after its retries). */
  | 'errored'
  /** The run stopped before the session ended. */
  | 'interrupted';

/** The steps of a session, as named in the error lines. */
export type Step = 'submit' | 'poll' | 'results' | 'feedback';

export interface FailureRecord {
  /** e.g. `HTTP 503` or `ECONNREFUSED`: how the report counts it. */
  kind: string;
  /** One line that says what happened, without a stack. */
  message: string;
}

export class TrafficStats {
  readonly sessions: Record<SessionOutcome, number> = {
    completed: 0,
    prediction_failed: 0,
    abandoned: 0,
    errored: 0,
    interrupted: 0,
  };
  readonly predictions = { submitted: 0, succeeded: 0, failed: 0 };
  readonly feedback = { chosen: 0, none: 0, skipped: 0 };
  /** HTTP attempts, retries included. */
  requests = 0;
  retries = 0;
  /** Failed HTTP attempts by status ('503'), retried ones included. */
  readonly httpErrors: Record<string, number> = {};
  /** Attempts without an answer by code ('ECONNREFUSED', 'TIMEOUT', ...). */
  readonly networkErrors: Record<string, number> = {};
  /** Anything else that ended a session (an answer the generator could not use). */
  unexpectedErrors = 0;
  /** Submit-to-succeeded, ms (the server's timestamps for v1, the client's clock for compat). */
  readonly latencyMs: number[] = [];
  /** A whole completed session, think time included, ms. */
  readonly sessionMs: number[] = [];

  get sessionsEnded(): number {
    return Object.values(this.sessions).reduce((a, b) => a + b, 0);
  }

  get errors(): number {
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return sum(this.httpErrors) + sum(this.networkErrors) + this.unexpectedErrors;
  }

  /** Counts one failed attempt and says how to log it. */
  recordFailure(error: unknown): FailureRecord {
    if (error instanceof ApiError) {
      const status = String(error.status);
      this.httpErrors[status] = (this.httpErrors[status] ?? 0) + 1;
      return { kind: `HTTP ${status}`, message: `HTTP ${status} ${error.code}` };
    }
    if (error instanceof NetworkError) {
      this.networkErrors[error.code] = (this.networkErrors[error.code] ?? 0) + 1;
      const message = error.message.includes(error.code)
        ? error.message
        : `${error.code} (${error.message})`;
      return { kind: error.code, message };
    }
    this.unexpectedErrors += 1;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind: 'unexpected', message };
  }
}
