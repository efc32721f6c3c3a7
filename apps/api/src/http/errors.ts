// Every error leaves the API as {error: {code, message, details}} through one middleware.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@predictq/logging';
import type { ApiMetrics } from '@predictq/metrics';
import type { z } from 'zod';

import { routeTemplate } from './request-context';

export interface ErrorDetail {
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

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
]);

export function errorHandler(logger: Logger, metrics: ApiMetrics): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let http = error instanceof HttpError ? error : fromBodyParser(error as BodyParserError);
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
    } else if (http.status >= 500) {
      logger.error(http.message, { code: http.code });
    }
    if (res.headersSent) return;
    res.status(http.status).json({
      error: { code: http.code, message: http.message, details: http.details },
    });
  };
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
};
