// The overload burst: N clients each submit predictions without pause for a while. A client that
// is refused (429 or 503) waits the answer's Retry-After, then submits again; an accepted one
// submits again at once. Every answer is counted by status (and error code) with its latency on
// the client's clock, so the report shows what clients saw, refusals included.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';

import { Agent, request } from 'undici';

import { type LatencySummary, summarize } from '../stats';

export interface BurstOptions {
  url: string;
  clients: number;
  durationMs: number;
  /** Request bodies to cycle through (JSON strings). */
  bodies: readonly string[];
  /** POST path: /v1/predictions, or /inference/start for the compatible API. */
  path?: string;
  timeoutMs?: number;
  apiKey?: string;
  /** Longest Retry-After honoured, ms (a bound for a run's length). */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
}

export interface BurstReport {
  url: string;
  clients: number;
  durationS: number;
  answers: number;
  /** Answers per status code ("202", "503", ...). */
  byStatus: Record<string, number>;
  /** Refusals and errors by their error code ("503 overloaded", ...). */
  byCode: Record<string, number>;
  /** Requests that got no answer, by the error's code. */
  networkErrors: Record<string, number>;
  /** 429 and 503 answers without a Retry-After header. */
  refusalsWithoutRetryAfter: number;
  /** Latency of every answer (client clock), ms. */
  latencyMs: LatencySummary;
  /** Latency of accepted submissions only. */
  acceptedLatencyMs: LatencySummary;
  /** Answers and their p99 by the second the request was sent in: where the tail comes from. */
  bySecond: { second: number; answers: number; p99: number }[];
  /** Only acceptance, 429 and 503 came back, every refusal with Retry-After; no failures. */
  ok: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

const REFUSALS = new Set([429, 503]);

export async function runBurst(options: BurstOptions): Promise<BurstReport> {
  // Every sleeping client listens to the one stop signal.
  if (options.signal) setMaxListeners(options.clients + 10, options.signal);
  const path = options.path ?? '/v1/predictions';
  // The compatible API answers an accepted submission with 200, as the original did.
  const acceptedStatus = path === '/v1/predictions' ? 202 : 200;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    connections: options.clients,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const networkErrors: Record<string, number> = {};
  const latencies: number[] = [];
  const accepted: number[] = [];
  const perSecond: number[][] = [];
  let refusalsWithoutRetryAfter = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const bump = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };

  const client = async () => {
    while (performance.now() < deadline && !options.signal?.aborted) {
      const body = options.bodies[next++ % options.bodies.length]!;
      const sent = performance.now();
      let waitMs: number;
      try {
        const response = await request(`${options.url}${path}`, {
          method: 'POST',
          dispatcher: agent,
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.body.text();
        const ms = performance.now() - sent;
        latencies.push(ms);
        (perSecond[Math.floor((sent - started) / 1000)] ??= []).push(ms);
        const status = response.statusCode;
        bump(byStatus, String(status));
        if (status === acceptedStatus) {
          accepted.push(ms);
          continue;
        }
        const code = (JSON.parse(text || '{}') as { error?: { code?: string } }).error?.code;
        bump(byCode, `${status} ${code ?? '?'}`);
        if (REFUSALS.has(status)) {
          const retryAfter = Number(response.headers['retry-after']);
          if (!Number.isFinite(retryAfter) || response.headers['retry-after'] === undefined) {
            refusalsWithoutRetryAfter += 1;
          }
          waitMs = Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000;
        } else {
          waitMs = 1000;
        }
      } catch (error) {
        const e = error as { code?: string; name?: string };
        bump(networkErrors, e.name === 'TimeoutError' ? 'TIMEOUT' : (e.code ?? e.name ?? 'ERROR'));
        waitMs = 1000;
      }
      // At least Retry-After, plus up to 10% so that refused clients do not return in step; no
      // client sleeps past the end of the run.
      const bounded = Math.min(waitMs, options.maxRetryAfterMs ?? 30_000);
      const left = deadline - performance.now();
      if (left <= 0) break;
      await sleep(Math.min(left, bounded * (1 + Math.random() * 0.1)), options.signal);
    }
  };

  await Promise.all(Array.from({ length: options.clients }, client));
  const durationS = (performance.now() - started) / 1000;
  await agent.close();
  const expected = [String(acceptedStatus), '429', '503'];
  const unexpected = Object.keys(byStatus).filter((s) => !expected.includes(s));
  return {
    url: options.url,
    clients: options.clients,
    durationS: Math.round(durationS * 100) / 100,
    answers: latencies.length,
    byStatus,
    byCode,
    networkErrors,
    refusalsWithoutRetryAfter,
    latencyMs: summarize(latencies),
    acceptedLatencyMs: summarize(accepted),
    bySecond: [...perSecond.entries()].map(([second, samples = []]) => ({
      second,
      answers: samples.length,
      p99: samples.length ? summarize(samples).p99 : 0,
    })),
    ok:
      unexpected.length === 0 &&
      Object.keys(networkErrors).length === 0 &&
      refusalsWithoutRetryAfter === 0,
  };
}

export function formatBurst(report: BurstReport): string {
  const rate = (report.answers / report.durationS).toFixed(0);
  const lines = [
    `burst: ${report.clients} clients for ${report.durationS} s against ${report.url}: ${report.answers} answers (${rate}/s)`,
  ];
  for (const [status, n] of Object.entries(report.byStatus).sort()) {
    const codes = Object.entries(report.byCode)
      .filter(([code]) => code.startsWith(`${status} `))
      .map(([code, count]) => `${code.slice(4)} ${count}`)
      .join(', ');
    lines.push(`  ${status}  ${n}${codes ? `  (${codes})` : ''}`);
  }
  const errors = Object.entries(report.networkErrors)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  lines.push(`  no answer: ${errors || 'none'}`);
  lines.push(`  refusals without Retry-After: ${report.refusalsWithoutRetryAfter}`);
  const l = report.latencyMs;
  lines.push(
    `  latency (client clock, every answer): p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`,
  );
  const a = report.acceptedLatencyMs;
  lines.push(`  accepted only: p50 ${a.p50} ms, p95 ${a.p95} ms, p99 ${a.p99} ms, max ${a.max} ms`);
  lines.push(
    `  p99 by second sent (answers): ${report.bySecond.map((s) => `${Math.round(s.p99)} (${s.answers})`).join(', ')}`,
  );
  lines.push(
    report.ok
      ? '  ok: only 202, 429 and 503, every refusal with Retry-After'
      : '  NOT ok: see above',
  );
  return lines.join('\n');
}
