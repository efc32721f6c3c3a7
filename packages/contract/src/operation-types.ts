// The types of an operation's request and answer, as the server sees them (parsed: defaults
// applied, ids lower-cased) and as a client sends them.
import type { z } from 'zod';

import type { OperationId, Operations } from './operations';

type Io = 'sent' | 'parsed';
type Of<S, IO extends Io> = S extends z.ZodType
  ? IO extends 'sent'
    ? z.input<S>
    : z.output<S>
  : never;

type PartOf<Op, Key extends string, IO extends Io> = Op extends { [K in Key]: infer S }
  ? Of<S, IO>
  : Record<string, never>;

type BodyOf<Op, IO extends Io> = Op extends { body: { schema: infer S } } ? Of<S, IO> : undefined;

/** What a handler receives: every part validated and parsed. */
export interface ParsedRequest<Id extends OperationId> {
  params: PartOf<Operations[Id], 'params', 'parsed'>;
  query: PartOf<Operations[Id], 'query', 'parsed'>;
  headers: PartOf<Operations[Id], 'headers', 'parsed'>;
  body: BodyOf<Operations[Id], 'parsed'>;
}

type Optional<T> = Record<string, never> extends T ? { [K in keyof T]?: T[K] } : T;

/** What a client sends: the parts the operation has (query and headers may be left out). */
export type SentRequest<Id extends OperationId> = (Operations[Id] extends { params: z.ZodType }
  ? { params: PartOf<Operations[Id], 'params', 'sent'> }
  : { params?: undefined }) &
  (Operations[Id] extends { query: z.ZodType }
    ? { query?: Optional<PartOf<Operations[Id], 'query', 'sent'>> }
    : { query?: undefined }) &
  (Operations[Id] extends { headers: z.ZodType }
    ? { headers?: Optional<PartOf<Operations[Id], 'headers', 'sent'>> }
    : { headers?: undefined }) &
  (Operations[Id] extends { body: { optional: true } }
    ? { body?: BodyOf<Operations[Id], 'sent'> }
    : Operations[Id] extends { body: object }
      ? { body: BodyOf<Operations[Id], 'sent'> }
      : { body?: undefined });

type SuccessStatus = 200 | 201 | 202;

/** The body of the operation's successful answer (any of its 2xx). */
export type SuccessBody<Id extends OperationId> = {
  [S in keyof Operations[Id]['responses'] & SuccessStatus]: Operations[Id]['responses'][S] extends {
    schema: infer B;
  }
    ? Of<B, 'parsed'>
    : undefined;
}[keyof Operations[Id]['responses'] & SuccessStatus];
