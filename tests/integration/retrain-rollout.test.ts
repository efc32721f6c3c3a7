// A retraining the policy triggered goes through a rollout the platform starts and decides: with
// RETRAIN_POLICY_ENABLED and a low feedback threshold, simulated travellers (regular ones, then
// the noisy profile the baseline fails) trigger a training run that does not activate its
// candidate; the offline rule lets the candidate be tried, so the worker starts a shadow run,
// then a canary when the shadow sample is gathered, and the canary's online evidence (the
// labeller's own choices) promotes it. Real PostgreSQL, Redis, ONNX Runtime, API and worker.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';

import { PredictqClient } from '@predictq/client';
import type { RolloutBody } from '@predictq/contract';
import { createTrainingRun, finishTrainingRun, getActiveModel } from '@predictq/db';
import { createLogger } from '@predictq/logging';
import { rolloutRetrainedCandidate } from '@predictq/rollout';
import { trainingResultSchema } from '@predictq/training';

import { eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { simulateSessions } from '../support/sessions';

const TOKEN = 'retrain-rollout-token-0123456789';
const REGULAR = 500;
const NOISY = 200;
const ROLLOUT_SETTINGS = {
  share: 0.5,
  shadow_sample: 40,
  min_feedback: 40,
  max_feedback: 1500,
  guards: { collapse_min_feedback: 100_000 },
};
const logger = createLogger({ service: 'test', format: 'json', stream: new PassThrough() });
let platform: TestPlatform;
let operator: PredictqClient;
let baselineId: string;

interface RunRow {
  id: string;
  status: string;
  params: { trigger?: { kind: string }; activate?: boolean; rollout?: Record<string, unknown> };
  result: unknown;
  error: string | null;
}

async function triggeredRuns(): Promise<RunRow[]> {
  const { rows } = await platform.database.pool.query<RunRow>(
    "SELECT id, status::text AS status, params, result, error FROM training_runs WHERE params ? 'trigger' ORDER BY created_at",
  );
  return rows;
}

const rolloutsOf = async (id: string) =>
  (await operator.request('getRollout', { params: { id } })).rollouts;

beforeAll(async () => {
  platform = await startPlatform({
    env: {
      ADMIN_TOKEN: TOKEN,
      REFRESH_INTERVAL_MS: '200',
      ROLLOUT_DECISION_INTERVAL_MS: '300',
      RETRAIN_POLICY_ENABLED: 'true',
      RETRAIN_POLICY_INTERVAL_MS: '500',
      // Only the feedback count triggers, once every session below has given its feedback.
      RETRAIN_MIN_NEW_FEEDBACK: String(REGULAR + NOISY),
      RETRAIN_DRIFT_MIN_NEW_FEEDBACK: '1000000',
      RETRAIN_ROLLOUT: 'shadow_then_canary',
      RETRAIN_ROLLOUT_POLICY: JSON.stringify(ROLLOUT_SETTINGS),
    },
  });
  operator = new PredictqClient({
    baseUrl: platform.api.url,
    operatorToken: TOKEN,
    validateResponses: true,
  });
  baselineId = (await getActiveModel(platform.database.db))!.id;
}, 120_000);

afterAll(async () => {
  await operator?.close();
  await platform?.stop();
}, 60_000);

describe('a retraining triggered by the policy', () => {
  let candidateId: string;
  let runId: string;

  it('trains a candidate that it does not activate, and the platform starts its shadow run', async () => {
    await simulateSessions(platform.client, REGULAR, { seed: 11 });
    expect(await triggeredRuns()).toEqual([]);
    await simulateSessions(platform.client, NOISY, { seed: 12, noisy: true });

    const run = await eventually(
      'the triggered training run ends',
      async () => {
        const [first] = await triggeredRuns();
        return first && !['queued', 'running'].includes(first.status) ? first : undefined;
      },
      240_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    runId = run.id;
    expect(run.params.trigger!.kind).toBe('feedback');
    expect(run.params.activate).toBe(false);
    expect(run.params.rollout).toMatchObject({ mode: 'shadow', next: 'canary', share: 0.5 });
    const result = trainingResultSchema.parse(run.result);
    expect(result.params.activate).toBe(false);
    // The offline rule lets it be tried (it fixes the noisy travellers)…
    expect(result.promoted).toBe(true);
    candidateId = result.candidate.modelId;
    // …but only online evidence promotes it: the baseline still serves.
    expect((await getActiveModel(platform.database.db))!.id).toBe(baselineId);

    const [shadow] = await eventually(
      'the platform starts a rollout',
      async () => {
        const rollouts = await rolloutsOf(candidateId);
        return rollouts.length > 0 ? rollouts : undefined;
      },
      30_000,
    );
    expect(shadow!.mode).toBe('shadow');
    expect(shadow!.baseline_model_id).toBe(baselineId);
    expect(shadow!.policy).toMatchObject({ ...ROLLOUT_SETTINGS, next: 'canary' });
    expect(shadow!.decisions[0]!.decision).toBe('started');
    expect(shadow!.decisions[0]!.reason).toContain(
      `started by the platform for training run ${runId}, a feedback trigger`,
    );
  }, 420_000);

  it('follows the shadow run with a canary, which the users’ choices promote', async () => {
    let rollouts: RolloutBody[];
    let seed = 100;
    const deadline = Date.now() + 240_000;
    // The noisy travellers, whom the candidate serves far better, keep coming.
    for (;;) {
      rollouts = await rolloutsOf(candidateId);
      if (rollouts.length === 2 && rollouts[0]!.status !== 'running') break;
      if (Date.now() > deadline) throw new Error('the platform did not decide in time');
      await simulateSessions(platform.client, 24, { seed: seed++, noisy: true });
    }
    const [canary, shadow] = rollouts as [RolloutBody, RolloutBody];
    expect(shadow.status).toBe('completed');
    expect(shadow.decisions.map((d) => d.decision)).toEqual(['started', 'complete']);
    expect(shadow.decisions[1]!.figures!.shadow!.compared).toBeGreaterThanOrEqual(
      ROLLOUT_SETTINGS.shadow_sample,
    );
    expect(canary.mode).toBe('canary');
    expect(canary.policy).toMatchObject({ ...ROLLOUT_SETTINGS, mode: 'canary' });
    expect(canary.policy.next).toBeUndefined();
    expect(canary.decisions[0]!.reason).toContain(`after its shadow run ${shadow.id}`);
    expect(canary.status).toBe('promoted');
    expect(canary.decisions.map((d) => d.decision)).toEqual(['started', 'promote']);
    const figures = canary.decisions[1]!.figures!;
    expect(figures.candidate!.acceptance!).toBeGreaterThan(figures.active!.acceptance!);
    expect(figures.test!.log_likelihood_ratio).toBeGreaterThanOrEqual(figures.test!.threshold);
    expect((await getActiveModel(platform.database.db))!.id).toBe(candidateId);
  }, 300_000);

  it('does not try a candidate the offline rule refused, nor one while another rollout runs', async () => {
    const { db } = platform.database;
    // Runs as stored, ended at once: the worker's sweep must not train them.
    const stored = async (params: Record<string, unknown>) => {
      const run = await createTrainingRun(db, randomUUID(), params);
      await finishTrainingRun(db, run.id, { status: 'failed', error: 'test run, not trained' });
      return run;
    };
    const run = await stored({
      trigger: { kind: 'feedback', reason: 'test' },
      activate: false,
      rollout: { mode: 'canary', share: 0.2 },
    });
    const candidate = { modelId: baselineId, version: 1, reason: 'breaks a segment' };
    expect(
      await rolloutRetrainedCandidate({ db, logger }, run.id, { ...candidate, promoted: false }),
    ).toEqual({ kind: 'refused', reason: 'breaks a segment' });
    // A run an operator started asks for no rollout.
    const manual = await stored({ activate: false });
    expect(
      await rolloutRetrainedCandidate({ db, logger }, manual.id, { ...candidate, promoted: true }),
    ).toEqual({ kind: 'none' });

    const running = await operator.request('startRollout', {
      params: { id: baselineId },
      body: { mode: 'shadow', shadow_sample: 100_000, force: true },
    });
    expect(
      await rolloutRetrainedCandidate({ db, logger }, run.id, { ...candidate, promoted: true }),
    ).toEqual({ kind: 'busy', rolloutId: running.id });
    expect((await rolloutsOf(baselineId)).map((r) => r.id)).toEqual([running.id]);
  }, 60_000);
});
