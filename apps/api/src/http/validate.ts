// Request parsing with zod: a failure is a 400 naming each field.
import type { Request } from 'express';
import { z } from 'zod';

import { HttpError, notFound, validationError } from './errors';

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  if (req.body === undefined) {
    throw new HttpError(415, 'unsupported_media_type', 'the request body must be application/json');
  }
  const result = schema.safeParse(req.body);
  if (!result.success) throw validationError(result.error, 'body');
  return result.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const result = schema.safeParse(req.query);
  if (!result.success) throw validationError(result.error, 'query');
  return result.data;
}

const uuid = z.uuid();
const positiveId = z.coerce.number().int().positive().max(2_147_483_647);

/** A path id that cannot exist is simply not found. */
export function uuidParam(value: unknown, what: string): string {
  const result = uuid.safeParse(value);
  if (!result.success) throw notFound(what);
  return result.data.toLowerCase();
}

export function integerParam(value: unknown, what: string): number {
  const result = positiveId.safeParse(value);
  if (!result.success) throw notFound(what);
  return result.data;
}
