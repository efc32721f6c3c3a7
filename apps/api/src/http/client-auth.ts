// Who is calling: the client of the bearer key (Authorization: Bearer pq_...), or the anonymous
// client when no key is presented and none is required. A presented key that is unknown or
// revoked is a 401 even where keys are optional: a client that thinks it is identified must not
// silently become anonymous. The operator token is not a client key and never matches one.
import type { KeyAuthenticator } from '@predictq/clients';
import type { KeyOwner } from '@predictq/db';
import type { Request, RequestHandler, Response } from 'express';

import { HttpError } from './errors';

export type CallingClient = KeyOwner;

function unauthorized(res: Response, message: string): HttpError {
  res.setHeader('WWW-Authenticate', 'Bearer realm="predictq"');
  return new HttpError(401, 'unauthorized', message);
}

/** The calling client, set by `authenticateClient` (routes without it have none). */
export function callingClient(res: Response): CallingClient {
  const client = res.locals.client as CallingClient | undefined;
  if (!client) throw new Error('the route has no authenticateClient middleware');
  return client;
}

export function authenticateClient(
  keys: KeyAuthenticator,
  options: { required: boolean },
): RequestHandler {
  return async (req: Request, res, next) => {
    const header = req.get('authorization');
    // The operator (markOperator, on the routes that allow it) counts as the anonymous client
    // for rate limits; the route decides what it may see.
    if (res.locals.operator === true) {
      res.locals.client = await keys.anonymous();
      return next();
    }
    if (header === undefined) {
      if (options.required) {
        return next(unauthorized(res, 'this route needs an API key: Authorization: Bearer <key>'));
      }
      res.locals.client = await keys.anonymous();
      return next();
    }
    const match = /^Bearer ([^\s]+)$/.exec(header);
    const owner = match ? await keys.authenticate(match[1] as string) : undefined;
    if (!owner) return next(unauthorized(res, 'the API key is unknown or revoked'));
    res.locals.client = owner;
    next();
  };
}
