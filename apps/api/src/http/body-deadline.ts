// A deadline on receiving a request body: a client that trickles its body (slowloris) gets 408
// and the connection is closed, instead of holding a parser and a socket. The server-wide
// requestTimeout is the (long) one of model uploads, so ordinary routes need their own.
import type { RequestHandler } from 'express';

import { HttpError } from './errors';

export function withBodyDeadline(parser: RequestHandler, ms: number): RequestHandler {
  return (req, res, next) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      next(error);
    };
    const timer = setTimeout(() => {
      res.setHeader('Connection', 'close');
      finish(
        new HttpError(408, 'request_timeout', `the request body did not arrive within ${ms} ms`),
      );
    }, ms);
    parser(req, res, finish);
  };
}
