// Operator routes (train, activate, traffic split, upload, clients) need `Authorization: Bearer
// <ADMIN_TOKEN>` and answer 401 otherwise, also when no token is configured. Only an explicit
// ALLOW_OPEN_ADMIN (refused in production by the configuration) leaves them open. A client's API
// key is never an operator token: it cannot match.
import { createHash, timingSafeEqual } from 'node:crypto';

import type { RequestHandler } from 'express';

import { HttpError } from './errors';

export type AdminMode = 'token' | 'closed' | 'open';

export function adminMode(token: string | undefined, allowOpen: boolean): AdminMode {
  if (token) return 'token';
  return allowOpen ? 'open' : 'closed';
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message);
}

export function requireAdmin(token: string | undefined, mode: AdminMode): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (mode === 'open') return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="predictq operator"');
    if (mode === 'closed' || !expected) {
      return next(unauthorized('this route needs the operator token, and none is configured'));
    }
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    // Comparing digests keeps the comparison constant-time whatever the length given.
    if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
      return next(unauthorized('this route needs the operator bearer token'));
    }
    next();
  };
}

/**
 * On a client route that the operator may call too (the list): a request presenting the operator
 * token is the operator's (res.locals.operator), any other goes on as a client's. Only a
 * configured token makes an operator here, never ALLOW_OPEN_ADMIN.
 */
export function markOperator(token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (expected && match && timingSafeEqual(digest(match[1] as string), expected)) {
      res.locals.operator = true;
    }
    next();
  };
}
