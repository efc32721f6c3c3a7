// What a client route runs before its handler, in order: the database gate (refuse at once while
// the pool is saturated), the client's identity, admission control (submissions only: refuse
// while the backlog is past its limit) and the client's rate limit. Each refusal is cheap: none
// reads the body, and only a replay while overloaded touches PostgreSQL.
import type { RequestHandler } from 'express';
import type { KeyAuthenticator } from '@predictq/clients';

import { authenticateClient } from './client-auth';

export interface Access {
  /** Reads and feedback. */
  read: RequestHandler[];
  /** New predictions. */
  submit: RequestHandler[];
}

export function accessChains(options: {
  databaseGate: RequestHandler;
  keys: KeyAuthenticator;
  requireKey: boolean;
  admission: RequestHandler;
  rateLimit: RequestHandler;
}): Access {
  const authenticate = authenticateClient(options.keys, { required: options.requireKey });
  return {
    read: [options.databaseGate, authenticate, options.rateLimit],
    submit: [options.databaseGate, authenticate, options.admission, options.rateLimit],
  };
}
