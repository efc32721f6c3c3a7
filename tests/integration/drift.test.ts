// Input drift detected by the platform: simulated regular travellers leave the statistic under
// its threshold on every feature, the noisy profile (large, old, rich groups) pushes it over;
// GET /v1/drift and the /metrics gauges say so, a model without histograms gets them rebuilt
// from its training lineage, and the retraining policy starts exactly one run on that drift.
// Real PostgreSQL, Redis, ONNX Runtime, API and worker.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';

import type { DriftBody } from '@predictq/contract';
import {
  createTrainingRun,
  getActiveModel,
  getModel,
  recordLineage,
  trainingActivity,
} from '@predictq/db';
import {
  DriftBaselines,
  measureDrift,
  RetrainPolicyRunner,
  storedHistograms,
} from '@predictq/drift';
import { createLogger } from '@predictq/logging';

import { scrape } from '../support/metrics';
import { startPlatform, type TestPlatform } from '../support/platform';
import { type SessionOutcome, simulateSessions } from '../support/sessions';

const WINDOW = 200;
const THRESHOLD = 0.25;
const logger = createLogger({ service: 'test', format: 'json', stream: new PassThrough() });
let platform: TestPlatform;
let regularSessions: SessionOutcome[];
let empty: DriftBody;
let regular: DriftBody;
let noisy: DriftBody;

async function drift(): Promise<DriftBody> {
  return platform.client.request('getDrift', {});
}

const psiOf = (report: DriftBody, feature: string) =>
  report.features.find((f) => f.feature === feature)!.psi!;
const maxPsi = (report: DriftBody) => Math.max(...report.features.map((f) => f.psi ?? 0));

beforeAll(async () => {
  platform = await startPlatform({
    env: {
      DRIFT_WINDOW_MAX_REQUESTS: String(WINDOW),
      DRIFT_MIN_REQUESTS: '100',
      DRIFT_PSI_THRESHOLD: String(THRESHOLD),
      DRIFT_CACHE_TTL_MS: '1',
    },
  });
  empty = await drift();
  regularSessions = await simulateSessions(platform.client, WINDOW, { seed: 21 });
  regular = await drift();
  await simulateSessions(platform.client, WINDOW, { seed: 22, noisy: true });
  noisy = await drift();
}, 240_000);

afterAll(async () => {
  if (process.env.DRIFT_TEST_FIGURES) {
    const figures = (r: DriftBody) =>
      Object.fromEntries(r.features.map((f) => [f.feature, [f.psi?.toFixed(3), f.ks?.toFixed(3)]]));
    process.stderr.write(
      `${JSON.stringify({ regular: figures(regular), noisy: figures(noisy) })}\n`,
    );
  }
  await platform?.stop();
}, 30_000);

describe('the drift statistic', () => {
  it('compares with the active model’s training requests, stored in its manifest', async () => {
    const active = (await getActiveModel(platform.database.db))!;
    expect(empty.model).toEqual({ id: active.id, version: active.version });
    expect(empty.baseline?.source).toBe('training');
    expect(empty.baseline!.requests).toBeGreaterThan(500);
    // No request yet: no statistic, and no drift claimed.
    expect(empty.status).toBe('insufficient_data');
    expect(empty.features.every((f) => f.psi === null && !f.drifted)).toBe(true);
  });

  it('stays under the threshold on every feature for the regular travellers', () => {
    expect(regular.window.requests).toBe(WINDOW);
    expect(regular.status).toBe('ok');
    expect(regular.drifted).toEqual([]);
    expect(maxPsi(regular)).toBeLessThan(THRESHOLD);
    for (const f of regular.features) expect(f.bins.window.reduce((a, b) => a + b, 0)).toBe(WINDOW);
  });

  it('rises over the threshold on the noisy profile, on the features that moved', () => {
    expect(noisy.status).toBe('drift');
    // The window is the newest 200 requests: the noisy groups only.
    expect(noisy.window.requests).toBe(WINDOW);
    expect(noisy.drifted).toEqual(expect.arrayContaining(['budget', 'people_num']));
    expect(psiOf(noisy, 'budget')).toBeGreaterThan(10 * psiOf(regular, 'budget'));
    expect(maxPsi(noisy)).toBeGreaterThan(4 * THRESHOLD);
    const budget = noisy.features.find((f) => f.feature === 'budget')!;
    expect(budget.threshold).toBe(THRESHOLD);
    expect(budget.ks!).toBeGreaterThan(0.5);
  });

  it('is exposed as a gauge per feature on the API’s /metrics', async () => {
    const exposition = await scrape(platform.api.url);
    const budget = /^predictq_drift_psi\{feature="budget"\} (\S+)$/m.exec(exposition);
    expect(Number(budget?.[1])).toBeGreaterThan(THRESHOLD);
    expect(exposition).toMatch(/^predictq_drift_threshold 0\.25$/m);
    expect(exposition).toMatch(new RegExp(`^predictq_drift_window_requests ${WINDOW}$`, 'm'));
  });
});

describe('an older model without histograms', () => {
  it('gets them rebuilt from its training lineage on first use, and cached in its manifest', async () => {
    const { db, pool } = platform.database;
    const active = (await getActiveModel(db))!;
    // Make the active model look like one trained before histograms, on the regular sessions.
    const runId = randomUUID();
    await createTrainingRun(db, runId, {});
    await pool.query(
      // Created before the sessions' feedback, which therefore counts as new since it.
      "UPDATE training_runs SET status = 'succeeded', created_at = now() - interval '1 day', completed_at = now() WHERE id = $1",
      [runId],
    );
    await recordLineage(
      db,
      runId,
      regularSessions.map((s) => ({
        predictionId: s.predictionId,
        locationId: 1,
        label: 0,
        split: 'train' as const,
      })),
    );
    await pool.query(
      "UPDATE models SET training_run_id = $1, manifest = manifest #- '{training,requestHistograms}' WHERE id = $2",
      [runId, active.id],
    );
    expect(storedHistograms((await getModel(db, active.id))!.manifest)).toBeUndefined();

    const baselines = new DriftBaselines(db, logger);
    const options = {
      windowMinutes: 60,
      maxRequests: WINDOW,
      minRequests: 100,
      threshold: THRESHOLD,
    };
    const report = await measureDrift({ db, baselines }, options);
    expect(report.baseline).toEqual({ source: 'lineage', requests: WINDOW });
    const cached = storedHistograms((await getModel(db, active.id))!.manifest);
    expect(cached?.source).toBe('lineage');
    expect(cached?.requests).toBe(WINDOW);
    // Against the regular requests it was rebuilt from, the noisy window drifts all the more.
    expect(report.status).toBe('drift');
    expect(report.drifted).toContain('budget');
  });
});

describe('the retraining policy', () => {
  it('starts one training run on drift, storing its trigger, and no second one while it is queued', async () => {
    const { db } = platform.database;
    const baselines = new DriftBaselines(db, logger);
    const enqueued: string[] = [];
    const runner = new RetrainPolicyRunner(
      {
        db,
        drift: () =>
          measureDrift(
            { db, baselines },
            { windowMinutes: 60, maxRequests: WINDOW, minRequests: 100, threshold: THRESHOLD },
          ),
        // Recorded, not queued: the platform's worker must not train in this test.
        enqueue: (id) => {
          enqueued.push(id);
          return Promise.resolve();
        },
        logger,
      },
      { minNewFeedback: 0, driftMinNewFeedback: 100, cooldownMs: 60 * 60_000 },
    );
    // Several workers looking at once: the advisory lock lets one decide at a time.
    const outcomes = await Promise.all([runner.tick(), runner.tick(), runner.tick()]);
    const started = outcomes.filter((o) => o?.decision.retrain);
    expect(started).toHaveLength(1);
    expect(enqueued).toEqual([started[0]!.trainingRunId]);
    const { rows } = await platform.database.pool.query<{
      params: { trigger: Record<string, unknown> };
    }>('SELECT params FROM training_runs WHERE id = $1', [enqueued[0]]);
    expect(rows[0]!.params.trigger).toMatchObject({
      kind: 'drift',
      reason: expect.stringMatching(/input drift on .*budget/),
    });
    expect((await trainingActivity(db)).unfinished).toBe(1);

    const again = await runner.tick();
    expect(again?.decision).toEqual({
      retrain: false,
      reason: 'a training run is already queued or running',
    });
    expect(enqueued).toHaveLength(1);
  });
});
