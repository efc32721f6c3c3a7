// A request id for every request (the client's X-Request-Id when sane), echoed in the response
// and carried by every log line written while the request is handled.
import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';
import { type Logger, withLogContext } from '@predictq/logging';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the client's X-Request-Id when sane, else a new one. */
export function requestIdFor(given: unknown): string {
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFor(req.get('x-request-id'));
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    // winston formats a line before its transport drops it for its level: skip the work when off.
    res.on('finish', () => {
      // A 503 with Retry-After is a deliberate refusal (overload shedding): an access line
      // like any other, not a warning per refused request.
      const level = res.statusCode >= 500 && !res.hasHeader('retry-after') ? 'warn' : 'http';
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Access lines at "http" level: off at the default "info", on for debugging.
      logger.log(level, 'request', {
        requestId,
        method: req.method,
        route: routeTemplate(req),
        status: res.statusCode,
        durationMs: Math.round(ms * 10) / 10,
      });
    });
    withLogContext({ requestId }, next);
  };
}

/** The matched route's template (/v1/predictions/:id), never the raw path with ids. */
export function routeTemplate(req: Parameters<RequestHandler>[0]): string {
  const route = (req.route as { path?: string } | undefined)?.path;
  return route === undefined ? 'unmatched' : `${req.baseUrl}${route}`;
}
