// When a failed call may be sent again, and how long to wait before it. Kept apart from the
// client so that the rules can be read (and tested) on their own.
import { NOTHING_STORED_CODES } from '@predictq/contract';

/** HTTP errors of the API (status and code) and calls that got no answer. */
export interface FailedAttempt {
  status?: number;
  code: string;
  /** The answer's Retry-After, in milliseconds. */
  retryAfterMs?: number | undefined;
}

/**
 * How safe a call is to repeat:
 * - `safe`: repeating it changes nothing the first one did not (GET, a submit with an
 *   Idempotency-Key, feedback, which the API records at most once per prediction);
 * - `unsent-only`: it may have an effect each time (a submit without a key), so it is repeated
 *   only when it certainly never reached the API.
 */
export type Replay = 'safe' | 'unsent-only';

export interface RetryOptions {
  /** Attempts after the first one; 0 (the default) never retries. */
  retries: number;
  /** Backoff before the first retry, doubling on each further one (full jitter). */
  minDelayMs?: number;
  /** Longest backoff. */
  maxDelayMs?: number;
  /** Called before each retry with the failure that caused it. */
  onRetry?: (event: RetryEvent) => void;
  /** Once aborted, no further retry starts: the call fails with its last failure. */
  signal?: AbortSignal;
}

export interface RetryEvent {
  /** The client method, e.g. `submitPrediction`. */
  operation: string;
  /** 1 for the first retry. */
  attempt: number;
  error: Error & FailedAttempt;
  delayMs: number;
}

/** Network failures that happen before a request is written: nothing reached the API. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The compatible status route answers 500 for a failed task (code prediction_failed): an answer. */
const ANSWERS = new Set(['prediction_failed']);

/** Refusals before anything was stored: repeating them is safe whatever the call. */
const NOTHING_STORED = new Set<string>(NOTHING_STORED_CODES);

/** Whether an attempt that failed this way may be repeated. */
export function isRetryable(failure: FailedAttempt, replay: Replay): boolean {
  if (failure.code === 'ABORTED') return false;
  if (failure.status === undefined) {
    return replay === 'safe' || NOT_SENT.has(failure.code);
  }
  if ((failure.status === 429 || failure.status === 503) && NOTHING_STORED.has(failure.code)) {
    return true;
  }
  if (replay !== 'safe' || ANSWERS.has(failure.code)) return false;
  return failure.status >= 500 || failure.status === 429;
}

/**
 * The wait before retry `attempt`: at least the answer's Retry-After, plus the backoff as jitter
 * (so that clients refused together do not all come back at the same instant).
 */
export function retryDelay(
  attempt: number,
  failure: FailedAttempt,
  options: Pick<RetryOptions, 'minDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelay(attempt, options, random);
  return failure.retryAfterMs === undefined ? backoff : failure.retryAfterMs + backoff;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, min * 2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'minDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const min = options.minDelayMs ?? 100;
  const max = options.maxDelayMs ?? 2_000;
  return Math.round(random() * Math.min(max, min * 2 ** (attempt - 1)));
}

/** Waits `ms`; rejects with the reason of the first of `signals` to be aborted before. */
export function wait(ms: number, signals: readonly AbortSignal[]): Promise<void> {
  const asError = (reason: unknown) =>
    reason instanceof Error ? reason : new Error(String(reason), { cause: reason });
  return new Promise((resolve, reject) => {
    const aborted = signals.find((s) => s.aborted);
    if (aborted) {
      reject(asError(aborted.reason));
      return;
    }
    const settle = (reason?: unknown) => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      if (reason === undefined) resolve();
      else reject(asError(reason));
    };
    const onAbort = (event: Event) => settle((event.target as AbortSignal).reason);
    const timer = setTimeout(settle, ms);
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The signal of one attempt: its timeout and, when given, `outer`; release() when it is done.
 * Not AbortSignal.any: on Node 20 every composite stays alive as long as its source does.
 */
export function attemptSignal(
  timeoutMs: number,
  outer: AbortSignal | undefined,
): { signal: AbortSignal; release: () => void } {
  if (!outer) return { signal: AbortSignal.timeout(timeoutMs), release: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      ),
    timeoutMs,
  );
  const onAbort = () => controller.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}
