// One delivery attempt: POST the signed payload to a target checked by the guard, on a
// connection pinned to the checked address (no second DNS answer can redirect it), with a
// timeout. Redirects are not followed: a 3xx is a failed attempt, as is any non-2xx answer.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import { checkTarget, type TargetPolicy } from './target-guard';

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** Bytes of a receiver's answer read (and dropped) at most. */
const ANSWER_READ_LIMIT = 8 * 1024;

export async function sendWebhook(options: {
  url: string;
  payload: string;
  headers: Record<string, string>;
  timeoutMs: number;
  policy: TargetPolicy;
  userAgent?: string;
}): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const target = await checkTarget(options.url, options.policy);
  if (!target.ok) {
    return {
      ok: false,
      statusCode: null,
      latencyMs: elapsed(),
      error: `refused target: ${target.reason}`,
    };
  }
  const { url, address, family } = target;
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    } else callback(null, address, family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, latencyMs: elapsed() });
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        timeout: options.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(options.payload),
          'user-agent': options.userAgent ?? 'predictq-webhooks',
          ...options.headers,
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > ANSWER_READ_LIMIT) response.destroy();
        });
        const done = () => {
          if (status >= 200 && status < 300) finish({ ok: true, statusCode: status, error: null });
          else if (status >= 300 && status < 400) {
            finish({
              ok: false,
              statusCode: status,
              error: `redirect to ${response.headers.location ?? '(no Location)'} not followed`,
            });
          } else finish({ ok: false, statusCode: status, error: `answered ${status}` });
        };
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('timeout', () =>
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
    );
    request.on('error', (error) => finish({ ok: false, statusCode: null, error: error.message }));
    request.on('close', () => clearTimeout(timer));
    request.end(options.payload);
  });
}
