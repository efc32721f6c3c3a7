// The queue console at /admin/queues (bull-board), in a real headless browser (Debian's chromium):
// refused without the operator token (a Basic challenge), rendered with every queue of the
// platform when the browser answers the challenge (user admin, the token as password), with no
// console or page error and nothing loaded from another origin; its JSON API retries a failed
// job and cleans the failed list, behind the same gate.
import { randomUUID } from 'node:crypto';

import { createInferenceQueue, createRedis, QUEUES, queuePrefix } from '@predictq/queue';
import { Worker } from 'bullmq';
import type { Browser } from 'playwright-core';

import { launchBrowser, openPage } from '../support/browser';
import { REDIS_URL } from '../support/env';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

const TOKEN = 'queue-console-operator-token-0123456789';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const OPERATOR = { authorization: basic('admin', TOKEN) };

let platform: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  // No worker: the jobs this test queues stay where it puts them.
  platform = await startPlatform({ worker: false, env: { ADMIN_TOKEN: TOKEN } });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
}, 60_000);

describe('the queue console', () => {
  it('is refused without the operator token, with a Basic challenge', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: basic('admin', 'wrong') },
      { authorization: basic('someone', TOKEN) },
      { authorization: 'Bearer wrong' },
    ]) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/queue/x']) {
        const answer = await call(platform.api.url, 'GET', path, { headers });
        expect({ path, status: answer.status }).toEqual({ path, status: 401 });
        expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect(answer.body.error.code).toBe('unauthorized');
      }
    }
    // In the browser: with no credentials to answer the challenge, chromium gives up on the
    // page; with wrong ones, it shows the 401, never the console.
    const url = `${platform.api.url}/admin/queues`;
    await expect(openPage(browser, url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    const wrong = await openPage(browser, url, {
      httpCredentials: { username: 'admin', password: 'wrong' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.page.content()).not.toContain('__UI_CONFIG__');
    await wrong.page.context().close();
  }, 60_000);

  it('takes the token as a bearer token too', async () => {
    const answer = await call<{ queues: { name: string }[] }>(
      platform.api.url,
      'GET',
      '/admin/queues/api/queues',
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.queues.map((q) => q.name).sort()).toEqual(
      [QUEUES.inference, QUEUES.training, QUEUES.webhook].sort(),
    );
  });

  it('renders every queue in a browser, loading nothing from elsewhere', async () => {
    const visit = await openPage(browser, `${platform.api.url}/admin/queues`, {
      httpCredentials: { username: 'admin', password: TOKEN },
    });
    try {
      expect(visit.status).toBe(200);
      for (const name of Object.values(QUEUES)) {
        await visit.page.getByRole('link', { name, exact: true }).first().waitFor({
          state: 'visible',
          timeout: 30_000,
        });
      }
      // A client-side view reloaded as a page: the queue's own view.
      const view = await visit.page.goto(`${platform.api.url}/admin/queues/queue/training`, {
        waitUntil: 'networkidle',
      });
      expect(view?.status()).toBe(200);
      expect(view?.headers()['content-security-policy']).toContain("script-src 'self'");
      await visit.page.getByText('training').first().waitFor({ timeout: 30_000 });
      expect(visit.consoleErrors).toEqual([]);
      expect(visit.pageErrors).toEqual([]);
      expect(visit.failedRequests).toEqual([]);
      expect(visit.outsideRequests).toEqual([]);
    } finally {
      await visit.page.context().close();
    }
  }, 90_000);

  it('retries a failed job and cleans the failed list through its API', async () => {
    const redis = createRedis(REDIS_URL, 'producer');
    const queue = createInferenceQueue(redis, platform.env.queuePrefix);
    const workerRedis = createRedis(REDIS_URL, 'worker');
    const predictionId = randomUUID();
    // A job that fails once, by a worker of the test's own that is gone before the retry.
    const failing = new Worker(
      QUEUES.inference,
      () => Promise.reject(new Error('failed on purpose')),
      {
        connection: workerRedis,
        prefix: queuePrefix(platform.env.queuePrefix, QUEUES.inference),
      },
    );
    try {
      const job = await queue.add('score-prediction', { predictionId }, { attempts: 1 });
      await eventually('the job failed', async () =>
        (await queue.getJobState(job.id!)) === 'failed' ? true : undefined,
      );
      await failing.close();

      const retried = await call(
        platform.api.url,
        'PUT',
        `/admin/queues/api/queues/${QUEUES.inference}/retry/failed`,
        { headers: OPERATOR },
      );
      expect(retried.status).toBe(200);
      await eventually('the job waits again', async () =>
        (await queue.getJobState(job.id!)) === 'waiting' ? true : undefined,
      );

      // Fail it once more, then clean the failed list.
      const again = new Worker(
        QUEUES.inference,
        () => Promise.reject(new Error('failed on purpose')),
        {
          connection: workerRedis,
          prefix: queuePrefix(platform.env.queuePrefix, QUEUES.inference),
        },
      );
      await eventually('the job failed again', async () =>
        (await queue.getJobState(job.id!)) === 'failed' ? true : undefined,
      );
      await again.close();
      const refused = await call(
        platform.api.url,
        'PUT',
        `/admin/queues/api/queues/${QUEUES.inference}/clean/failed`,
      );
      expect(refused.status).toBe(401);
      // bull-board cleans what failed more than 5 s ago: the operator's click, repeated.
      await eventually(
        'the failed list is cleaned',
        async () => {
          const cleaned = await call(
            platform.api.url,
            'PUT',
            `/admin/queues/api/queues/${QUEUES.inference}/clean/failed`,
            { headers: OPERATOR },
          );
          expect(cleaned.status).toBe(200);
          if ((await queue.getJobCounts('failed')).failed === 0) return true;
          await new Promise((r) => setTimeout(r, 500));
          return undefined;
        },
        30_000,
      );
      expect(await queue.getJob(job.id!)).toBeUndefined();
    } finally {
      await failing.close();
      await queue.close();
      await redis.quit();
      await workerRedis.quit();
    }
  }, 90_000);
});
