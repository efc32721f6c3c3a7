// Mounts a handler per operation of the contract's table, on one case-sensitive router. Each
// route runs, in order: its access chain (refusals first, and none of them reads the body), the
// body parser when the operation takes a body, then one generic validation of params (a value
// that cannot exist is a 404), query, body (none at all is a 415) and headers (each a 400 that
// names the fields), and finally the handler with the parsed request.
import type { Request, RequestHandler, Response } from 'express';
import {
  expressPath,
  type Operation,
  OPERATION_IDS,
  type OperationId,
  OPERATIONS,
  type ParsedRequest,
  resourceOf,
} from '@predictq/contract';
import type { z } from 'zod';

import type { Access } from './access';
import { HttpError, notFound, validationError } from './errors';
import { router } from './router';

export type OperationHandler<Id extends OperationId> = (
  request: ParsedRequest<Id>,
  res: Response,
  req: Request,
) => Promise<void> | void;

export type Handlers<Ids extends OperationId = OperationId> = {
  [Id in Ids]: OperationHandler<Id>;
};

export interface Gates {
  /** Client routes of the v1 API and of the MLprod-compatible one (their own key settings). */
  v1: Access;
  compat: Access;
  /** The operator token. */
  operator: RequestHandler;
  /** The operator token, as a bearer token or the Basic-auth password (operator's pages). */
  operatorPage: RequestHandler;
  /** Marks a request that presents the operator token (res.locals.operator), else passes. */
  operatorView: RequestHandler;
  jsonBody: RequestHandler;
  uploadJsonBody: RequestHandler;
}

function accessChain(op: Operation, gates: Gates): RequestHandler[] {
  switch (op.auth) {
    case 'public':
      return [];
    case 'operator':
      return [op.browser ? gates.operatorPage : gates.operator];
    case 'client': {
      const access = op.compat ? gates.compat : gates.v1;
      const chain = op.submission ? access.submit : access.read;
      return op.operatorView ? [gates.operatorView, ...chain] : chain;
    }
  }
}

function parseParams(op: Operation, req: Request): unknown {
  if (!op.params) return {};
  const result = op.params.safeParse(req.params);
  if (result.success) return result.data;
  const name = String(result.error.issues[0]?.path[0] ?? '');
  const schema = op.params.shape[name] as z.ZodType | undefined;
  throw notFound((schema && resourceOf(schema)) ?? 'resource');
}

function parse(schema: z.ZodType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

function parseBody(op: Operation, req: Request): unknown {
  if (!op.body) return undefined;
  if (req.body === undefined) {
    // An operation whose body is optional takes none as {} (its defaults).
    if (op.body.optional) return parse(op.body.schema, {}, 'body');
    throw new HttpError(415, 'unsupported_media_type', 'the request body must be application/json');
  }
  return parse(op.body.schema, req.body, 'body');
}

function parseHeaders(op: Operation, req: Request): unknown {
  if (!op.headers) return {};
  const given = Object.fromEntries(Object.keys(op.headers.shape).map((h) => [h, req.get(h)]));
  return parse(op.headers, given, 'header');
}

/** The parsed request, or the HttpError of its first broken part. */
export function parseRequest(op: Operation, req: Request): ParsedRequest<OperationId> {
  const params = parseParams(op, req);
  const query = op.query ? parse(op.query, req.query, 'query') : {};
  const body = parseBody(op, req);
  const headers = parseHeaders(op, req);
  return { params, query, body, headers } as ParsedRequest<OperationId>;
}

/** One router with every operation of the table, each with its handler. */
export function mountOperations(handlers: Handlers, gates: Gates) {
  const routes = router();
  for (const id of OPERATION_IDS) {
    const op: Operation = OPERATIONS[id];
    const handler = handlers[id] as OperationHandler<OperationId>;
    const parser = op.body ? [op.body.upload ? gates.uploadJsonBody : gates.jsonBody] : [];
    routes[op.method](
      expressPath(op.path),
      ...accessChain(op, gates),
      ...parser,
      async (req: Request, res: Response) => {
        await handler(parseRequest(op, req), res, req);
      },
    );
  }
  return routes;
}
