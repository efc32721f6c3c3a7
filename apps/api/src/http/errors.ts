// Every error leaves the API as {error: {code, message, details}} through one middleware (the
// compatible routes' failed task excepted: its body is the original system's). An outage of
// PostgreSQL is a 503 with Retry-After, a value PostgreSQL refuses a 400: neither is a 500.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable, isDataError } from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import type { ApiMetrics } from '@predictq/metrics';
import type { z } from 'zod';

import { routeTemplate } from './request-context';

export interface ErrorDetail {
  field: string;
  message: string;
}

export class HttpError extends Error {
  /** Seconds after which a retry may succeed (sent as Retry-After). */
  retryAfterS: number | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }

  withRetryAfter(seconds: number): this {
    this.retryAfterS = seconds;
    return this;
  }

  /** The response body. */
  body(): unknown {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/**
 * The MLprod-compatible answer for a failed task, exactly as the original system gave it: the
 * one 500 of the API that is an answer, not a fault.
 */
export class CompatTaskFailed extends HttpError {
  constructor(readonly reason: string | null) {
    super(500, 'task_failed', 'Task failed');
  }

  override body(): unknown {
    return { detail: 'Task failed' };
  }
}

/** Seconds a client should wait after PostgreSQL was found unavailable. */
export const DATABASE_RETRY_AFTER_S = 2;

const databaseUnavailable = () =>
  new HttpError(
    503,
    'database_unavailable',
    'the database is unavailable; retry later (a submission with the same Idempotency-Key is safe to retry)',
  ).withRetryAfter(DATABASE_RETRY_AFTER_S);

/**
 * PostgreSQL refused a value (SQLSTATE class 22): the input's fault, whatever let it through.
 * The driver's words stay in the log.
 */
const dataError = () =>
  new HttpError(400, 'invalid_value', 'a value of the request is out of range or malformed', [
    { field: '(request)', message: 'refused by the database as out of range or malformed' },
  ]);

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

/** One detail per broken rule, naming the field by its path (people_age.2). */
export function validationError(error: z.ZodError, where = 'body'): HttpError {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ field: key, message: 'unknown field' });
      continue;
    }
    details.push({ field: issue.path.join('.') || `(${where})`, message: issue.message });
  }
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new HttpError(400, 'validation_failed', `invalid ${where}: ${fields}`, details);
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(error: BodyParserError): HttpError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', 'the request body is not valid JSON');
    case 'entity.too.large':
      return new HttpError(
        413,
        'payload_too_large',
        `the request body is larger than ${error.limit ?? 'the limit'} bytes`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', error.message);
    default:
      return undefined;
  }
}

/** Error codes of requests refused before anything was stored (bad input). */
const REJECTIONS = new Set([
  'validation_failed',
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
  'idempotency_key_reused',
  'invalid_value',
]);

/** The HttpError a known failure stands for; undefined for an unknown one (a 500). */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (isDataError(error)) return dataError();
  return fromBodyParser(error as BodyParserError);
}

export function errorHandler(logger: Logger, metrics: ApiMetrics): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let http = toHttpError(error);
    if (http && REJECTIONS.has(http.code)) {
      metrics.validationRejections.inc({ route: routeTemplate(req), code: http.code });
    }
    if (!http) {
      logger.error('unhandled error', {
        method: req.method,
        path: req.path,
        error: error instanceof Error ? error.stack : String(error),
      });
      http = new HttpError(500, 'internal_error', 'internal error');
    } else if (http.code === 'database_unavailable' || http.code === 'invalid_value') {
      if (http.code === 'database_unavailable') {
        metrics.refusals.inc({ reason: 'database_unavailable' });
      }
      logger.warn(http.message, { route: routeTemplate(req), error: errorMessage(error) });
    } else if (
      http.status >= 500 &&
      http.retryAfterS === undefined &&
      !(http instanceof CompatTaskFailed)
    ) {
      // A refusal with Retry-After (overloaded, database busy) is load shedding, not a fault:
      // it is counted in predictq_refusals_total, and a log line each would feed the overload.
      logger.error(http.message, { code: http.code });
    }
    if (res.headersSent) return;
    if (http.retryAfterS !== undefined) res.setHeader('Retry-After', String(http.retryAfterS));
    res.status(http.status).json(http.body());
  };
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
};
