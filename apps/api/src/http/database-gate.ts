// Refuses at once (503 database_busy, Retry-After) while too many requests already wait for a
// PostgreSQL connection: a stalled or saturated database then costs a client milliseconds, not
// the acquire timeout. Nothing was stored, so a retry is safe.
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { ApiMetrics } from '@predictq/metrics';

import { HttpError } from './errors';
import type { RefusalPacer } from './refusal-pacer';

export function databaseGate(
  pool: Pool,
  maxWaiting: number,
  metrics: ApiMetrics,
  pacer: RefusalPacer,
): RequestHandler {
  return (_req, _res, next) => {
    if (maxWaiting === 0 || pool.waitingCount < maxWaiting) return next();
    metrics.refusals.inc({ reason: 'database_busy' });
    next(
      new HttpError(
        503,
        'database_busy',
        `${pool.waitingCount} requests are waiting for the database. Nothing was stored; retry after Retry-After seconds`,
      ).withRetryAfter(pacer.next()),
    );
  };
}
