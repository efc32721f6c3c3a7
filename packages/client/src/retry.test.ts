import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { PredictqClient } from './client';
import { ApiError, NetworkError, parseRetryAfter } from './errors';
import { backoffDelay, isRetryable, retryDelay, type RetryEvent } from './retry';

const request = {
  people_num: 1,
  people_age: [30],
  children_num: 0,
  budget: 200,
  nights: 2,
  time_arrival: '2026-07-01',
  pool: false,
  spa: false,
  pet_friendly: false,
  lake: false,
  mountain: false,
  sport: false,
};

/** A real HTTP server answering each request with the next of `answers` (status, delay). */
async function serve(
  answers: { status: number; delayMs?: number; body?: unknown; headers?: Record<string, string> }[],
) {
  let calls = 0;
  const server = http.createServer((_req, res) => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    setTimeout(() => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? { error: { code: `status_${answer.status}` } }));
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const accepted = { id: '6e6e3af3-aaff-4fef-9ffb-f079cf4a8f60', status: 'queued', created_at: '' };

const clients: PredictqClient[] = [];

function client(url: string, events: RetryEvent[] = [], extra = {}) {
  const created = new PredictqClient({
    baseUrl: url,
    timeoutMs: 200,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, onRetry: (e) => events.push(e) },
    ...extra,
  });
  clients.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('isRetryable', () => {
  it('repeats safe calls on network errors, 5xx and 429, never on other 4xx', () => {
    expect(isRetryable({ code: 'TIMEOUT' }, 'safe')).toBe(true);
    expect(isRetryable({ code: 'UND_ERR_SOCKET' }, 'safe')).toBe(true);
    expect(isRetryable({ status: 503, code: 'x' }, 'safe')).toBe(true);
    expect(isRetryable({ status: 429, code: 'x' }, 'safe')).toBe(true);
    expect(isRetryable({ status: 404, code: 'not_found' }, 'safe')).toBe(false);
    expect(isRetryable({ status: 409, code: 'feedback_exists' }, 'safe')).toBe(false);
  });

  it('repeats other calls only when nothing was sent, and never a failed task or an abort', () => {
    expect(isRetryable({ code: 'ECONNREFUSED' }, 'unsent-only')).toBe(true);
    expect(isRetryable({ code: 'TIMEOUT' }, 'unsent-only')).toBe(false);
    expect(isRetryable({ status: 503, code: 'x' }, 'unsent-only')).toBe(false);
    expect(isRetryable({ status: 500, code: 'prediction_failed' }, 'safe')).toBe(false);
    expect(isRetryable({ code: 'ABORTED' }, 'safe')).toBe(false);
  });
});

describe('refusals that stored nothing', () => {
  it('are retried even for a submit without a key, other 503s are not', () => {
    for (const code of ['overloaded', 'rate_limited', 'database_busy']) {
      const status = code === 'rate_limited' ? 429 : 503;
      expect(isRetryable({ status, code }, 'unsent-only')).toBe(true);
    }
    expect(isRetryable({ status: 503, code: 'database_unavailable' }, 'unsent-only')).toBe(false);
    expect(isRetryable({ status: 503, code: 'database_unavailable' }, 'safe')).toBe(true);
  });

  it('wait at least Retry-After, plus the backoff as jitter', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1000 };
    const failure = { status: 503, code: 'overloaded', retryAfterMs: 2000 };
    expect(retryDelay(1, failure, options, () => 0)).toBe(2000);
    expect(retryDelay(2, failure, options, () => 1)).toBe(2200);
    expect(retryDelay(2, { status: 502, code: 'x' }, options, () => 1)).toBe(200);
  });

  it('read Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles up to the maximum, with full jitter', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });
});

describe('PredictqClient retries', () => {
  it('retries a read after 503s and returns the answer that followed', async () => {
    const server = await serve([{ status: 503 }, { status: 502 }, { status: 200, body: [] }]);
    const events: RetryEvent[] = [];
    try {
      await expect(client(server.url, events).inferenceResults('t')).resolves.toEqual([]);
      expect(server.calls()).toBe(3);
      expect(events.map((e) => [e.operation, e.attempt, e.error.status])).toEqual([
        ['inferenceResults', 1, 503],
        ['inferenceResults', 2, 502],
      ]);
    } finally {
      await server.close();
    }
  });

  it('gives up after the retries with the last error, and never retries a 4xx', async () => {
    const failing = await serve([{ status: 500 }]);
    const missing = await serve([{ status: 404 }]);
    try {
      await expect(client(failing.url).getPrediction('x')).rejects.toMatchObject({ status: 500 });
      expect(failing.calls()).toBe(3);
      await expect(client(missing.url).getPrediction('x')).rejects.toBeInstanceOf(ApiError);
      expect(missing.calls()).toBe(1);
    } finally {
      await Promise.all([failing.close(), missing.close()]);
    }
  });

  it('repeats a submit with an idempotency key, and one without only if nothing was sent', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 202, body: accepted }]);
    try {
      await expect(client(server.url).submitPrediction(request)).rejects.toMatchObject({
        status: 503,
      });
      expect(server.calls()).toBe(1);
      await expect(client(server.url).submitPrediction(request, 'key-1')).resolves.toEqual(
        accepted,
      );
      expect(server.calls()).toBe(3);
    } finally {
      await server.close();
    }
    // The port is closed now: connection refused, so the keyless submit is tried 3 times.
    const events: RetryEvent[] = [];
    await expect(client(server.url, events).submitPrediction(request)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(events).toHaveLength(2);
  });

  it('retries a keyless submit refused as overloaded, no sooner than its Retry-After', async () => {
    const server = await serve([
      { status: 503, body: { error: { code: 'overloaded' } }, headers: { 'retry-after': '1' } },
      { status: 202, body: accepted },
    ]);
    try {
      const started = Date.now();
      await expect(client(server.url).submitPrediction(request)).resolves.toEqual(accepted);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(server.calls()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it("reads the compatible routes' failed task as prediction_failed, and does not retry it", async () => {
    const server = await serve([{ status: 500, body: { detail: 'Task failed' } }]);
    try {
      await expect(client(server.url).inferenceStatus('t')).rejects.toMatchObject({
        status: 500,
        code: 'prediction_failed',
      });
      expect(server.calls()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('times out each attempt with the code TIMEOUT and does not repeat a keyless submit', async () => {
    const server = await serve([{ status: 202, delayMs: 1_000, body: accepted }]);
    try {
      const error = await client(server.url)
        .submitPrediction(request)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).code).toBe('TIMEOUT');
      expect(server.calls()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('ends calls in flight with ABORTED when its signal is aborted, without retrying', async () => {
    const server = await serve([{ status: 200, delayMs: 150, body: [] }]);
    const controller = new AbortController();
    const events: RetryEvent[] = [];
    try {
      const pending = client(server.url, events, {
        signal: controller.signal,
        timeoutMs: 5_000,
      }).inferenceResults('t');
      setTimeout(() => controller.abort(), 20);
      await expect(pending).rejects.toMatchObject({ name: 'NetworkError', code: 'ABORTED' });
      expect(events).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('starts no retry once its retry signal is aborted, and fails with the last failure', async () => {
    const server = await serve([{ status: 503 }]);
    const stop = new AbortController();
    try {
      // Aborted as the first backoff begins (onRetry runs just before it): no timing race.
      const started = Date.now();
      const pending = client(server.url, [], {
        retry: { retries: 3, minDelayMs: 5_000, signal: stop.signal, onRetry: () => stop.abort() },
      }).getPrediction('x');
      await expect(pending).rejects.toMatchObject({ name: 'ApiError', status: 503 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(server.calls()).toBe(1);
    } finally {
      await server.close();
    }
  });
});
