// The chaos run's clients: each submission carries its own Idempotency-Key, so it is retried until
// it is accepted (202), whatever the platform answers meanwhile: network errors (the API was
// killed), 429/503 (honouring Retry-After), even a 500. Every answer is counted by status, and
// the id of every accepted prediction is kept for the ledger.
import { createRng } from '@predictq/random';
import { generateRequest, pickProfile, type TravellerProfile } from '@predictq/simulation';
import { Agent, request } from 'undici';

export interface LoadReport {
  /** HTTP attempts made. */
  sent: number;
  /** Answers by status (202 included), and network errors by code. */
  answers: Record<string, number>;
  /** Submissions that got a 202: their predictions must all succeed. */
  accepted: Map<string, string>;
  /** Submissions that never got a 202 before the run's end. */
  abandoned: number;
}

export interface LoadOptions {
  url: () => string;
  submissions: number;
  clients: number;
  profiles: readonly TravellerProfile[];
  seed: number;
  runId: string;
  /** Give up on a submission after this long. */
  maxSubmitMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runLoad(
  options: LoadOptions,
  onProgress: (done: number) => void,
): Promise<LoadReport> {
  const report: LoadReport = { sent: 0, answers: {}, accepted: new Map(), abandoned: 0 };
  const agent = new Agent({ connections: options.clients, keepAliveTimeout: 5_000 });
  const rng = createRng(options.seed);
  let next = 0;
  const count = (key: string) => (report.answers[key] = (report.answers[key] ?? 0) + 1);

  const submit = async (i: number, body: unknown): Promise<void> => {
    const key = `chaos-${options.runId}-${i}`;
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < options.maxSubmitMs; attempt++) {
      report.sent += 1;
      let retryAfterMs = Math.min(2_000, 50 * 2 ** attempt) * Math.random();
      try {
        const response = await request(`${options.url()}/v1/predictions`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const text = await response.body.text();
        count(String(response.statusCode));
        if (response.statusCode === 202) {
          report.accepted.set(key, (JSON.parse(text) as { id: string }).id);
          return;
        }
        if (response.statusCode < 500 && response.statusCode !== 429) return; // refused for good
        const header = Number(response.headers['retry-after']);
        if (Number.isFinite(header) && header > 0) retryAfterMs = header * 1000;
      } catch (error) {
        count((error as { code?: string }).code ?? (error as Error).name);
      }
      await sleep(retryAfterMs);
    }
    report.abandoned += 1;
  };

  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < options.submissions) {
        const i = next++;
        const profile = pickProfile(options.profiles, rng);
        await submit(i, generateRequest(profile, rng, { startDate: '2026-06-01' }));
        onProgress(next);
      }
    }),
  );
  await agent.close();
  return report;
}
