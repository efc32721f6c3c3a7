// The client's errors: an answer with an error status, or no answer at all.
import { errors as undiciErrors } from 'undici';

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly body: unknown,
    /** The answer's Retry-After, in milliseconds: wait at least this long before a retry. */
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status} ${code}`);
    this.name = 'ApiError';
  }
}

/** Retry-After (seconds, or an HTTP date) in milliseconds from `now`; undefined when absent. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * No answer: connection refused or reset, timeout. `code` is undici's (UND_ERR_*), the OS's
 * (ECONNREFUSED, ...), `TIMEOUT` when the request's timeout ran out, or `ABORTED` when the
 * client's signal was aborted.
 */
export class NetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

/** Any failure to get an answer, as a NetworkError. */
export function toNetworkError(error: unknown): NetworkError {
  if (error instanceof NetworkError) return error;
  if (error instanceof undiciErrors.UndiciError) return new NetworkError(error.code, error.message);
  const e = error as {
    code?: unknown;
    name?: string;
    message?: string;
    cause?: { code?: unknown };
  };
  // An abort's reason is a DOMException, whose numeric `code` (23, 20) says nothing useful.
  if (e.name === 'TimeoutError') return new NetworkError('TIMEOUT', e.message ?? 'timed out');
  if (e.name === 'AbortError') return new NetworkError('ABORTED', e.message ?? 'aborted');
  const code = [e.code, e.cause?.code].find((c): c is string => typeof c === 'string');
  return new NetworkError(code ?? 'NETWORK', e.message ?? String(error));
}
