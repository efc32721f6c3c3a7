// What an HTTP operation is: one entry of the table in operations.ts, from which the API mounts
// its routes, /openapi.json is generated, and the typed client builds its calls.
import { z } from 'zod';

import { INT4_MAX } from './api.schemas';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call: anyone (probes, the document), a client (an API key, or the anonymous client
 * where keys are optional; rate-limited, refused while the database is saturated), or the
 * operator (ADMIN_TOKEN).
 */
export type Auth = 'public' | 'client' | 'operator';

export interface ResponseSpec {
  description: string;
  /** The JSON body; none for an answer without one. */
  schema?: z.ZodType;
  /** The media type of a body that is not JSON (text/event-stream, text/html). */
  contentType?: string;
  /** A body that is not JSON (CSV, JSON Lines): its media types, each with what it holds. */
  content?: Record<string, z.ZodType>;
  /** Response headers the answer sets (their description). */
  headers?: Record<string, string>;
}

export interface Operation {
  method: HttpMethod;
  /** OpenAPI style: /v1/predictions/{id}. */
  path: string;
  summary: string;
  auth: Auth;
  /** The MLprod-compatible routes (their own API-key setting, no replays while overloaded). */
  compat?: true;
  /** A new prediction: admission control refuses it, before its body is read, past capacity. */
  submission?: true;
  /** A client route that the operator token may call too, seeing every client's predictions. */
  operatorView?: true;
  /**
   * An operator's page that a browser opens: the operator token is taken as the Basic-auth
   * password too (a browser cannot send a bearer token), and a refusal challenges with Basic.
   */
  browser?: true;
  /** Path parameters; a value its schema refuses is a 404 (see resourceParam). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers, keyed by their name as documented (Idempotency-Key). */
  headers?: z.ZodObject;
  body?: {
    schema: z.ZodType;
    /** An absent body means `{}` (the defaults) instead of a 415. */
    optional?: true;
    /** Parsed with the (larger) upload limit and deadline. */
    upload?: true;
  };
  /**
   * A body that is not JSON, read as a stream by the handler itself (no body parser): its media
   * types, each with a schema of what it holds (for the document).
   */
  rawBody?: Record<string, z.ZodType>;
  /** The answers this operation gives itself; the refusals of its `auth` are added to these. */
  responses: Record<number, ResponseSpec>;
  /** A request that the operation accepts. */
  example?: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
}

/** Keeps an operation's literal types (method, schemas) for the router and the client. */
export const operation = <const T extends Operation>(spec: T): T => spec;

const resources = new WeakMap<z.ZodType, string>();

/** What a path parameter names ("prediction"), for the 404 of an id that cannot exist. */
export const resourceOf = (schema: z.ZodType): string | undefined => resources.get(schema);

function named<S extends z.ZodType>(schema: S, resource: string): S {
  resources.set(schema, resource);
  return schema;
}

/** A uuid path id (lower-cased); a malformed one is `<resource> not found`. */
export const uuidParam = (resource: string) =>
  named(
    z
      .uuid()
      .transform((id) => id.toLowerCase())
      .meta({ description: `The ${resource}'s id.` }),
    resource,
  );

/** A positive int4 path id; any other is `<resource> not found`. */
export const intParam = (resource: string) =>
  named(
    z.coerce
      .number()
      .int()
      .positive()
      .max(INT4_MAX)
      .meta({ description: `The ${resource}'s id.` }),
    resource,
  );

/** The successful answer's status: the lowest 2xx the operation declares. */
export function successStatus(op: Operation): number {
  const status = Object.keys(op.responses)
    .map(Number)
    .filter((s) => s >= 200 && s < 300)
    .sort((a, b) => a - b)[0];
  if (status === undefined) throw new Error(`${op.method} ${op.path} declares no 2xx answer`);
  return status;
}

/** The Express form of the path: /v1/predictions/:id (the optional trailing slash dropped). */
export const expressPath = (path: string): string =>
  path.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');
