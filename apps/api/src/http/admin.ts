// Operator routes (train, activate, traffic split, upload) need `Authorization: Bearer
// <ADMIN_TOKEN>`. Without ADMIN_TOKEN they are disabled in production and open in development
// (the API warns about it at start).
import { createHash, timingSafeEqual } from 'node:crypto';

import type { RequestHandler } from 'express';

import { HttpError } from './errors';

export type AdminMode = 'token' | 'disabled' | 'open';

export function adminMode(token: string | undefined, production: boolean): AdminMode {
  if (token) return 'token';
  return production ? 'disabled' : 'open';
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireAdmin(token: string | undefined, mode: AdminMode): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (mode === 'open') return next();
    if (mode === 'disabled' || !expected) {
      return next(
        new HttpError(
          503,
          'operator_routes_disabled',
          'operator routes are disabled: ADMIN_TOKEN is not set',
        ),
      );
    }
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    // Comparing digests keeps the comparison constant-time whatever the length given.
    if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="predictq operator"');
      return next(new HttpError(401, 'unauthorized', 'this route needs the operator bearer token'));
    }
    next();
  };
}
