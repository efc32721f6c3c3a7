// Admission control: past the configured backlog (waiting jobs, or the age of the oldest one, as
// the background sampler last saw them), or while this process already handles as many
// submissions as it may (so none waits long behind the others), a new submission is refused at
// once with 503 and Retry-After, before its body is even read. A replay of an accepted prediction (its client's
// Idempotency-Key already stored) is still answered. An unknown backlog (Redis away) admits:
// accepting without Redis is by design, the worker's sweep enqueues later.
import type { RequestHandler } from 'express';
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
  /** Looks up replays (v1 submissions with an Idempotency-Key) while overloaded. */
  db?: Db;
}

export function admitSubmission(options: AdmissionOptions): RequestHandler {
  const { maxInFlight } = options.limits;
  let inFlight = 0;
  const admit: RequestHandler = (_req, res, next) => {
    inFlight += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    };
    res.once('close', release);
    // A submission that then waits (Prefer: wait) gives its place back: it is stored by then.
    res.locals.releaseAdmission = release;
    next();
  };
  return async (req, res, next) => {
    const reason =
      maxInFlight > 0 && inFlight >= maxInFlight
        ? `${inFlight} submissions are in progress in this API process (limit ${maxInFlight})`
        : overloadReason(options.backlog(), options.limits);
    if (!reason) return admit(req, res, next);
    const key = req.get('idempotency-key');
    if (options.db && key !== undefined) {
      const replay = await findByIdempotencyKey(options.db, callingClient(res).clientId, key);
      // The route answers the replay (or its 422 for another body) as usual.
      if (replay) return admit(req, res, next);
    }
    options.metrics.refusals.inc({ reason: 'overloaded' });
    next(overloaded(reason, options.pacer.next()));
  };
}
