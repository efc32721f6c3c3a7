// A typed client of the predictq HTTP API (v1 and the MLprod-compatible routes), on undici with
// keep-alive connections, a timeout per request and, when asked for, bounded retries of the calls
// that are safe to repeat.
import {
  type AcceptedBody,
  acceptedSchema,
  compatResultListSchema,
  type compatResultSchema,
  type compatSelectedSchema,
  compatSelectionResultSchema,
  compatTaskSchema,
  type FeedbackBody,
  feedbackSchema,
  type PredictionBody,
  predictionSchema,
} from '@predictq/contract';
import type { TravellerRequest } from '@predictq/domain';
import { Agent, request } from 'undici';
import type { z } from 'zod';

import { ApiError, NetworkError, parseRetryAfter, toNetworkError } from './errors';
import {
  attemptSignal,
  isRetryable,
  retryDelay,
  type Replay,
  type RetryOptions,
  wait,
} from './retry';

export interface ClientOptions {
  baseUrl: string;
  /** Per-request timeout (headers and body), milliseconds. */
  timeoutMs?: number;
  /** Most connections kept to the API. */
  connections?: number;
  /** Parse every response with the contract's schema (tests); off for load generation. */
  validateResponses?: boolean;
  /**
   * Retries of failed attempts (none by default): network failures, 5xx and 429 answers of the
   * calls that are safe to repeat, and of the others only what never reached the API (see
   * `isRetryable`). Each attempt has its own timeout.
   */
  retry?: RetryOptions;
  /** Aborting it ends every call in flight (and its retries) with a NetworkError `ABORTED`. */
  signal?: AbortSignal;
  /** The client's API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
}

export type CompatTask = z.infer<typeof compatTaskSchema>;
export type CompatResult = z.infer<typeof compatResultSchema>;
export type CompatSelected = z.infer<typeof compatSelectedSchema>;

interface Call {
  /** The method's name, for retry events. */
  operation: string;
  /** Whether the call may be sent again after it reached the API. */
  replay: Replay;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The code of an error answer: the API's {error: {code}}, or prediction_failed for the compatible
 * routes' failed task ({"detail": "Task failed"}, the original system's body).
 */
function errorCode(status: number, body: unknown): string {
  const { error, detail } = (body ?? {}) as { error?: { code?: string }; detail?: unknown };
  if (status === 500 && detail === 'Task failed') return 'prediction_failed';
  return error?.code ?? 'http_error';
}

export class PredictqClient {
  private readonly agent: Agent;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.agent = new Agent({
      connections: options.connections ?? 128,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- v1 ---------------------------------------------------------------------------------

  /** Retried (when retries are on) only with an idempotency key, or when nothing was sent. */
  submitPrediction(body: TravellerRequest, idempotencyKey?: string): Promise<AcceptedBody> {
    return this.call(
      {
        operation: 'submitPrediction',
        replay: idempotencyKey ? 'safe' : 'unsent-only',
        method: 'POST',
        path: '/v1/predictions',
        body,
        ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      },
      acceptedSchema,
    );
  }

  /** With waitSeconds, the API answers once the prediction ended or after that long. */
  getPrediction(id: string, waitSeconds = 0): Promise<PredictionBody> {
    const query = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
    return this.call(
      {
        operation: 'getPrediction',
        replay: 'safe',
        method: 'GET',
        path: `/v1/predictions/${id}${query}`,
      },
      predictionSchema,
    );
  }

  /**
   * The API records one feedback per prediction, so a retry cannot record a second one: when an
   * earlier attempt was recorded but its answer lost, the retry answers 409 feedback_exists.
   */
  sendFeedback(id: string, locationId: number | null): Promise<FeedbackBody> {
    return this.call(
      {
        operation: 'sendFeedback',
        replay: 'safe',
        method: 'POST',
        path: `/v1/predictions/${id}/feedback`,
        body: { location_id: locationId },
      },
      feedbackSchema,
    );
  }

  // ---- MLprod-compatible ------------------------------------------------------------------

  /**
   * `name` is the original clients' profile name. Without idempotency on this route, a retry
   * happens only when nothing was sent.
   */
  startInference(body: TravellerRequest & { name?: string }): Promise<CompatTask> {
    return this.call(
      {
        operation: 'startInference',
        replay: 'unsent-only',
        method: 'POST',
        path: '/inference/start',
        body,
      },
      compatTaskSchema,
    );
  }

  /** A failed task answers 500 prediction_failed, which is never retried. */
  inferenceStatus(taskId: string): Promise<CompatTask> {
    return this.call(
      {
        operation: 'inferenceStatus',
        replay: 'safe',
        method: 'GET',
        path: `/inference/status/${taskId}`,
      },
      compatTaskSchema,
    );
  }

  inferenceResults(taskId: string, limit = 10): Promise<CompatResult[]> {
    return this.call(
      {
        operation: 'inferenceResults',
        replay: 'safe',
        method: 'GET',
        path: `/inference/results/${taskId}?limit=${limit}`,
      },
      compatResultListSchema,
    );
  }

  selectLocation(taskId: string, locationId: number): Promise<CompatSelected | null> {
    return this.call(
      {
        operation: 'selectLocation',
        replay: 'safe',
        method: 'PUT',
        path: '/inference/select/',
        body: { task_id: taskId, location_id: locationId },
      },
      compatSelectionResultSchema,
    );
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private async call<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const retry = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(call, schema);
      } catch (error) {
        const failure = error instanceof ApiError || error instanceof NetworkError ? error : null;
        if (
          !retry ||
          !failure ||
          attempt > retry.retries ||
          this.options.signal?.aborted ||
          retry.signal?.aborted ||
          !isRetryable(failure, call.replay)
        ) {
          throw error;
        }
        const delayMs = retryDelay(attempt, failure, retry);
        retry.onRetry?.({ operation: call.operation, attempt, error: failure, delayMs });
        await this.backoff(delayMs, failure);
      }
    }
  }

  /** Waits before a retry: ABORTED when the client's signal fires, `failure` when retry's. */
  private async backoff(delayMs: number, failure: Error): Promise<void> {
    const signals = [this.options.signal, this.options.retry?.signal].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    try {
      await wait(delayMs, signals);
    } catch (abort) {
      throw this.options.signal?.aborted ? toNetworkError(abort) : failure;
    }
  }

  private async attempt<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const { signal, release } = attemptSignal(this.timeoutMs, this.options.signal);
    let parsed: unknown;
    try {
      parsed = await this.exchange(call, signal);
    } finally {
      release();
    }
    return (this.options.validateResponses ? schema.parse(parsed) : parsed) as z.output<S>;
  }

  /** One request and its parsed body; ApiError for an error status, NetworkError for none. */
  private async exchange(call: Call, signal: AbortSignal): Promise<unknown> {
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.baseUrl}${call.path}`, {
        method: call.method,
        dispatcher: this.agent,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          ...call.headers,
        },
        body: payload,
        signal,
      });
    } catch (error) {
      throw toNetworkError(error);
    }
    let parsed: unknown;
    try {
      const text = await response.body.text();
      parsed = text.length === 0 ? null : JSON.parse(text);
    } catch (error) {
      throw response.statusCode >= 400
        ? new ApiError(response.statusCode, 'unreadable_body', null)
        : toNetworkError(error);
    }
    if (response.statusCode >= 400) {
      throw new ApiError(
        response.statusCode,
        errorCode(response.statusCode, parsed),
        parsed,
        parseRetryAfter(response.headers['retry-after']),
      );
    }
    return parsed;
  }
}
