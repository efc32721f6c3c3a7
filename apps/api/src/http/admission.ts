// Admission control: past the configured backlog (waiting jobs, or the age of the oldest one, as
// the background sampler last saw them), or while this process already handles as many
// submissions as it may (so none waits long behind the others), a new submission is refused at
// once with 503 and Retry-After, before its body is even read. A replay of an accepted prediction (its client's
// Idempotency-Key already stored) is still answered. An unknown backlog (Redis away) admits:
// accepting without Redis is by design, the worker's sweep enqueues later.
import type { RequestHandler, Response } from 'express';
import { type Db, findByIdempotencyKey } from '@predictq/db';
import type { ApiMetrics } from '@predictq/metrics';
import type { Backlog } from '@predictq/queue';

import { callingClient } from './client-auth';
import { HttpError } from './errors';
import type { RefusalPacer } from './refusal-pacer';

export interface AdmissionLimits {
  /** Most submissions this process handles at once; 0: no limit. */
  maxInFlight: number;
  /** Most waiting jobs; 0: no limit. */
  maxWaiting: number;
  /** Longest wait of the oldest job, ms; 0: no limit. */
  maxWaitMs: number;
}

/** Why the backlog refuses new work, or undefined when it admits. */
export function overloadReason(
  backlog: Backlog | undefined,
  limits: AdmissionLimits,
): string | undefined {
  if (!backlog) return undefined;
  if (limits.maxWaiting > 0 && backlog.waiting >= limits.maxWaiting) {
    return `${backlog.waiting} predictions are waiting (limit ${limits.maxWaiting})`;
  }
  if (limits.maxWaitMs > 0 && backlog.oldestWaitMs >= limits.maxWaitMs) {
    return `the oldest waiting prediction has waited ${Math.round(backlog.oldestWaitMs / 1000)} s (limit ${limits.maxWaitMs / 1000} s)`;
  }
  return undefined;
}

export function overloaded(reason: string, retryAfterS: number): HttpError {
  return new HttpError(
    503,
    'overloaded',
    `the platform is overloaded: ${reason}. Nothing was stored; retry after Retry-After seconds`,
  ).withRetryAfter(retryAfterS);
}

export interface AdmissionOptions {
  backlog: () => Backlog | undefined;
  limits: AdmissionLimits;
  /** Chooses each refusal's Retry-After. */
  pacer: RefusalPacer;
  metrics: ApiMetrics;
}

/**
 * The API process's admission state, shared by the submission routes' middleware and the front
 * door (which refuses a submission before Express sees it): submissions in progress, and the
 * backlog's last sample.
 */
export class Admission {
  private inFlight = 0;

  constructor(private readonly options: AdmissionOptions) {}

  /** Why a new submission is refused now; undefined when it is admitted. */
  reason(): string | undefined {
    const { maxInFlight } = this.options.limits;
    if (maxInFlight > 0 && this.inFlight >= maxInFlight) {
      return `${this.inFlight} submissions are in progress in this API process (limit ${maxInFlight})`;
    }
    return overloadReason(this.options.backlog(), this.options.limits);
  }

  /** The refusal of a submission (counted), with a paced Retry-After. */
  refuse(reason: string): HttpError {
    this.options.metrics.refusals.inc({ reason: 'overloaded' });
    return overloaded(reason, this.options.pacer.next());
  }

  /** Counts a submission in progress until its response closes, or until it gives its place back. */
  enter(res: Response): () => void {
    this.inFlight += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
    res.once('close', release);
    return release;
  }
}

/**
 * Admission control of a submission route. `db` enables the replay lookup: while overloaded, a
 * submission whose client's Idempotency-Key is already stored is still answered.
 */
export function admitSubmission(admission: Admission, db?: Db): RequestHandler {
  const admit: RequestHandler = (_req, res, next) => {
    // A submission that then waits (Prefer: wait) gives its place back: it is stored by then.
    res.locals.releaseAdmission = admission.enter(res);
    next();
  };
  return async (req, res, next) => {
    const reason = admission.reason();
    if (!reason) return admit(req, res, next);
    const key = req.get('idempotency-key');
    if (db && key !== undefined) {
      const replay = await findByIdempotencyKey(db, callingClient(res).clientId, key);
      // The route answers the replay (or its 422 for another body) as usual.
      if (replay) return admit(req, res, next);
    }
    next(admission.refuse(reason));
  };
}
