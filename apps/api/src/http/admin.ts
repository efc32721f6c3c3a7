// Operator routes (train, activate, traffic split, upload, clients) need `Authorization: Bearer
// <ADMIN_TOKEN>` and answer 401 otherwise, also when no token is configured. Only an explicit
// ALLOW_OPEN_ADMIN (refused in production by the configuration) leaves them open. A client's API
// key is never an operator token: it cannot match. The operator's pages (the queue console) take
// the token as the Basic-auth password of the user `admin` too, because a browser cannot send a
// bearer token, and challenge with Basic so that the browser asks for it.
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

/** The Basic-auth user of the operator's pages; its password is ADMIN_TOKEN. */
export const OPERATOR_PAGE_USER = 'admin';

/** The operator token that an Authorization header presents, as a bearer token or Basic auth. */
function presentedToken(header: string): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== OPERATOR_PAGE_USER) return undefined;
  return decoded.slice(colon + 1);
}

/** The gate of an operator's page: the token as a bearer token or as the Basic-auth password. */
export function requireOperatorPage(token: string | undefined, mode: AdminMode): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (mode === 'open') return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="predictq operator", charset="UTF-8"');
    if (mode === 'closed' || !expected) {
      return next(unauthorized('this page needs the operator token, and none is configured'));
    }
    const presented = presentedToken(req.get('authorization') ?? '');
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      return next(
        unauthorized(
          `this page needs the operator token: as a bearer token, or as the Basic-auth password of the user ${OPERATOR_PAGE_USER}`,
        ),
      );
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
