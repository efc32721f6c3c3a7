// A typed client of the predictq HTTP API, driven by the contract's table of operations: any
// operation is one `request(id, ...)` (its path, query, headers and body typed by the table, its
// answer parsed with the table's schema when asked), on undici with keep-alive connections, a
// timeout per request and, when asked for, bounded retries of the calls that are safe to repeat.
// The named methods are the calls the traffic generator, the benchmark, `npm run batch` and the
// tests make. Batch files go up as CSV or TSV (a string or a stream) and results come down as a
// stream, never as one string unless asked.
import { Readable } from 'node:stream';

import {
  type compatResultSchema,
  type compatSelectedSchema,
  type compatTaskSchema,
  type Operation,
  type OperationId,
  OPERATIONS,
  type SentRequest,
  type SuccessBody,
} from '@predictq/contract';
import type { BatchStatus, TravellerRequest } from '@predictq/domain';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
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
  /** The client's API key, sent as `Authorization: Bearer <key>` to client routes. */
  apiKey?: string;
  /** The operator token (ADMIN_TOKEN), sent to the operator routes only: it is not a key. */
  operatorToken?: string;
}

/** One server-sent event of a prediction's stream. */
export interface PredictionEvent {
  /** The step: 1 queued, 2 processing, 3 ended (Last-Event-ID resumes after it). */
  id: string | undefined;
  /** The status it announces: queued, processing, then succeeded, failed or canceled. */
  event: string;
  prediction: SuccessBody<'getPrediction'>;
}

export type CompatTask = z.infer<typeof compatTaskSchema>;
export type CompatResult = z.infer<typeof compatResultSchema>;
export type CompatSelected = z.infer<typeof compatSelectedSchema>;

export interface RequestOptions {
  /**
   * Whether the call may be sent again after it reached the API. By default a POST may not (it
   * may have an effect each time) and every other method may.
   */
  replay?: Replay;
  /** The name retry events give the call (default: the operation id). */
  name?: string;
  /** This call's timeout instead of the client's (a large upload), milliseconds. */
  timeoutMs?: number;
  /** A body that is not JSON (CSV): its bytes and media type. A stream is sent once, never retried. */
  raw?: RawBody;
}

export interface RawBody {
  body: string | Buffer | Readable;
  contentType: string;
}

/** A CSV or TSV file: its text or bytes, or a stream of them. */
export type BatchFile = string | Buffer | Readable;

export interface BatchFileOptions {
  /** csv or tsv; by default tsv when a string's first line has a tab, else csv. */
  format?: 'csv' | 'tsv';
  /** The call's timeout (a large file takes minutes to read and store), milliseconds. */
  timeoutMs?: number;
}

/** The media type of a batch file. */
function batchFileType(file: BatchFile, format: 'csv' | 'tsv' | undefined): string {
  const told =
    format ??
    (typeof file === 'string' && (file.split('\n', 1)[0] ?? '').includes('\t') ? 'tsv' : 'csv');
  return told === 'tsv' ? 'text/tab-separated-values' : 'text/csv';
}

interface Call {
  /** The method's name, for retry events. */
  operation: string;
  replay: Replay;
  spec: Operation;
  method: string;
  path: string;
  body?: unknown;
  raw?: RawBody;
  timeoutMs?: number;
  headers: Record<string, string>;
}

/** /v1/predictions/{id} with its params filled in, and the query string of the defined values. */
function target(spec: Operation, params: object | undefined, query: object | undefined): string {
  const values = (params ?? {}) as Record<string, unknown>;
  const path = spec.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(String(values[name])),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
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

  /**
   * Calls an operation of the table: `input` has its path params, query, headers and body as the
   * table types them; the answer is the body of its 2xx (parsed with the table's schema when
   * validateResponses is on). An error status is an ApiError, no answer a NetworkError.
   */
  request<Id extends OperationId>(
    id: Id,
    input: SentRequest<Id>,
    options: RequestOptions = {},
  ): Promise<SuccessBody<Id>> {
    const spec: Operation = OPERATIONS[id];
    const { params, query, headers, body } = input as {
      params?: object;
      query?: object;
      headers?: Record<string, string | undefined>;
      body?: unknown;
    };
    const token = spec.auth === 'operator' ? this.options.operatorToken : this.options.apiKey;
    const sent: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (value !== undefined) sent[name.toLowerCase()] = value;
    }
    return this.call({
      operation: options.name ?? id,
      replay: options.replay ?? (spec.method === 'post' ? 'unsent-only' : 'safe'),
      spec,
      method: spec.method.toUpperCase(),
      path: target(spec, params, query),
      body,
      raw: options.raw,
      timeoutMs: options.timeoutMs,
      headers: sent,
    }) as Promise<SuccessBody<Id>>;
  }

  // ---- v1 ---------------------------------------------------------------------------------

  /** Retried (when retries are on) only with an idempotency key, or when nothing was sent. */
  submitPrediction(body: TravellerRequest, idempotencyKey?: string) {
    return this.request(
      'submitPrediction',
      { body, ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}) },
      { replay: idempotencyKey ? 'safe' : 'unsent-only' },
    );
  }

  /** With waitSeconds, the API answers once the prediction ended or after that long. */
  getPrediction(id: string, waitSeconds = 0) {
    return this.request('getPrediction', {
      params: { id },
      ...(waitSeconds > 0 ? { query: { wait: waitSeconds } } : {}),
    });
  }

  /**
   * The prediction's server-sent events (GET /v1/predictions/{id}/stream): one per status, its
   * data the prediction as GET returns it, until the server ends the stream after the terminal
   * one (which carries the ranking and marks it shown). Not retried.
   */
  async *predictionEvents(id: string): AsyncGenerator<PredictionEvent> {
    const spec: Operation = OPERATIONS.streamPrediction;
    const body = await this.download(target(spec, { id }, undefined), 'text/event-stream');
    const parsed: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => parsed.push(event) });
    const text = new TextDecoder();
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      parser.feed(text.decode(chunk, { stream: true }));
      for (const event of parsed.splice(0)) {
        yield {
          id: event.id,
          event: event.event ?? 'message',
          prediction: JSON.parse(event.data) as SuccessBody<'getPrediction'>,
        };
      }
    }
  }

  /**
   * The API records one feedback per prediction, so a retry cannot record a second one: when an
   * earlier attempt was recorded but its answer lost, the retry answers 409 feedback_exists.
   */
  sendFeedback(id: string, locationId: number | null) {
    return this.request(
      'sendFeedback',
      { params: { id }, body: { location_id: locationId } },
      { replay: 'safe' },
    );
  }

  // ---- batches ----------------------------------------------------------------------------

  /**
   * Uploads a batch file. Retried (when retries are on) only when it is a string or bytes with an
   * idempotency key, or when nothing was sent; a stream is never sent twice.
   */
  submitBatch(file: BatchFile, options: BatchFileOptions & { idempotencyKey?: string } = {}) {
    const { idempotencyKey } = options;
    return this.request(
      'submitBatch',
      idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {},
      {
        replay: idempotencyKey ? 'safe' : 'unsent-only',
        raw: { body: file, contentType: batchFileType(file, options.format) },
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      },
    );
  }

  getBatch(id: string) {
    return this.request('getBatch', { params: { id } });
  }

  /** A page of the caller's batches, newest first; pass next_cursor as cursor for the next. */
  listBatches(query: { limit?: number; cursor?: string; status?: BatchStatus } = {}) {
    return this.request('listBatches', { query });
  }

  /** Its queued predictions end canceled; 409 batch_ended when it already ended. */
  cancelBatch(id: string) {
    return this.request('cancelBatch', { params: { id } });
  }

  /**
   * The results as a stream (CSV, or JSON Lines), one row per input row in input order. Reading
   * them marks the rankings shown, so feedback may follow.
   */
  batchResults(id: string, format: 'csv' | 'jsonl' = 'csv'): Promise<Readable> {
    const spec: Operation = OPERATIONS.getBatchResults;
    return this.download(target(spec, { id }, { format }));
  }

  /** The results as one string (small batches, tests). */
  async batchResultsText(id: string, format: 'csv' | 'jsonl' = 'csv'): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.batchResults(id, format)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * Feedback on a batch's rows: a CSV (or TSV) naming location_id and prediction_id or row. The
   * answer reports every line it refused; a retry would find the recorded ones already given.
   */
  sendBatchFeedback(id: string, file: BatchFile, options: BatchFileOptions = {}) {
    return this.request(
      'sendBatchFeedback',
      { params: { id } },
      {
        raw: { body: file, contentType: batchFileType(file, options.format) },
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      },
    );
  }

  // ---- MLprod-compatible ------------------------------------------------------------------

  /**
   * `name` is the original clients' profile name. Without idempotency on this route, a retry
   * happens only when nothing was sent.
   */
  startInference(body: TravellerRequest & { name?: string }): Promise<CompatTask> {
    return this.request('startInference', { body });
  }

  /** A failed task answers 500 prediction_failed, which is never retried. */
  inferenceStatus(taskId: string): Promise<CompatTask> {
    return this.request('inferenceStatus', { params: { task_id: taskId } });
  }

  inferenceResults(taskId: string, limit = 10): Promise<CompatResult[]> {
    return this.request('inferenceResults', { params: { task_id: taskId }, query: { limit } });
  }

  selectLocation(taskId: string, locationId: number): Promise<CompatSelected | null> {
    return this.request(
      'selectLocation',
      { body: { task_id: taskId, location_id: locationId } },
      { replay: 'safe' },
    );
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private async call(call: Call): Promise<unknown> {
    const retry = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(call);
      } catch (error) {
        const failure = error instanceof ApiError || error instanceof NetworkError ? error : null;
        if (
          !retry ||
          !failure ||
          call.raw?.body instanceof Readable ||
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

  private async attempt(call: Call): Promise<unknown> {
    const { signal, release } = attemptSignal(
      call.timeoutMs ?? this.timeoutMs,
      this.options.signal,
    );
    let answer: { status: number; body: unknown };
    try {
      answer = await this.exchange(call, signal);
    } finally {
      release();
    }
    if (!this.options.validateResponses) return answer.body;
    const schema = call.spec.responses[answer.status]?.schema;
    if (!schema) {
      throw new Error(`${call.operation} answered ${answer.status}, which the contract omits`);
    }
    return schema.parse(answer.body);
  }

  /** One request and its parsed body; ApiError for an error status, NetworkError for none. */
  private async exchange(
    call: Call,
    signal: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    const payload =
      call.raw?.body ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
    const type = call.raw?.contentType ?? 'application/json';
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.baseUrl}${call.path}`, {
        method: call.method,
        dispatcher: this.agent,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': type }),
          ...call.headers,
        },
        body: payload,
        signal,
        ...(call.timeoutMs ? { headersTimeout: call.timeoutMs, bodyTimeout: call.timeoutMs } : {}),
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
    return { status: response.statusCode, body: parsed };
  }

  /**
   * A GET whose answer is streamed to the caller: the client's timeout is the longest wait for
   * the headers and between two chunks, not for the whole body. Not retried.
   */
  private async download(path: string, accept?: string): Promise<Readable> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method: 'GET',
        dispatcher: this.agent,
        headers: {
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          ...(accept ? { accept } : {}),
        },
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
    } catch (error) {
      throw toNetworkError(error);
    }
    if (response.statusCode >= 400) {
      const text = await response.body.text().catch(() => '');
      let parsed: unknown = null;
      try {
        parsed = text.length === 0 ? null : JSON.parse(text);
      } catch {
        // not JSON: the code says so
      }
      throw new ApiError(
        response.statusCode,
        errorCode(response.statusCode, parsed),
        parsed,
        parseRetryAfter(response.headers['retry-after']),
      );
    }
    return response.body;
  }
}
