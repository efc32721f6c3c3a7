// The promotion rule on real feedback: simulated travellers (regular ones, then the noisy profile
// the baseline fails) give feedback through the API; a training run must refuse a candidate that
// breaks one profile, and promote the one that fixes the noisy travellers, whose users then
// accept its rankings. Real PostgreSQL, Redis, ONNX Runtime, API and worker.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';

import { createTrainingRun, getActiveModel, getModel } from '@predictq/db';
import { createLogger } from '@predictq/logging';
import { trainRanker, type TrainingExample } from '@predictq/model';
import {
  decidePromotion,
  modelEvaluationSchema,
  runTraining,
  type Train,
  type TrainingDefaults,
  trainingResultSchema,
} from '@predictq/training';

import { runModelDir } from '../support/env';
import { startPlatform, type TestPlatform } from '../support/platform';
import { type SessionOutcome, simulateSessions } from '../support/sessions';

const TOKEN = 'test-operator-token-0123456789';
const NOISY = 'profile:Noisy groups';
let platform: TestPlatform;
let baselineId: string;
let noisyBefore: SessionOutcome[];

const acceptance = (sessions: SessionOutcome[]) =>
  sessions.filter((s) => s.chosen).length / sessions.length;

async function operator(method: string, route: string, body?: unknown) {
  const response = await fetch(`${platform.api.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** The worker's own settings: the defaults of .env.example. */
const defaults: TrainingDefaults = {
  seed: 42,
  maxRows: 20_000,
  minRows: 200,
  holdoutFraction: 0.2,
  epochs: 20,
  recencyHalfLifeHours: 24,
  promotion: {
    minSegmentPredictions: 30,
    minGain: 0.05,
    minReplaced: 0.5,
    maxHarm: 0.25,
    failingAcceptance: 0.3,
    failingNoneError: 0.3,
  },
};

/** Trains in-process on the examples with one profile's labels inverted (its users' choices). */
const invertingProfile =
  (profile: string): Train =>
  (options, onEpoch) => {
    const examples = options.examples.map((e): TrainingExample =>
      e.request.profile === profile ? { ...e, label: e.label === 1 ? 0 : 1 } : e,
    );
    return Promise.resolve(trainRanker({ ...options, examples, onEpoch }));
  };

beforeAll(async () => {
  platform = await startPlatform({ env: { ADMIN_TOKEN: TOKEN, REFRESH_INTERVAL_MS: '200' } });
  baselineId = (await getActiveModel(platform.database.db))!.id;
  await simulateSessions(platform.client, 500, { seed: 11 });
  noisyBefore = await simulateSessions(platform.client, 200, { seed: 12, noisy: true });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describe('the promotion rule on simulated feedback', () => {
  it('refuses a candidate that wins on average while breaking one profile', async () => {
    const runId = randomUUID();
    await createTrainingRun(platform.database.db, runId, {});
    const result = await runTraining(
      {
        db: platform.database.db,
        modelDir: runModelDir(),
        logger: createLogger({ service: 'test', format: 'json', stream: new PassThrough() }),
        // Small enough for a regular profile of this little traffic to count on its own.
        defaults: { ...defaults, promotion: { ...defaults.promotion, minSegmentPredictions: 8 } },
        serving: { topK: 10, candidates: { maxPriceRatio: 1.5, minCandidates: 10 } },
        train: invertingProfile('Couple'),
      },
      runId,
    );
    const { promoted, reason, evaluation } = trainingResultSchema.parse(result);
    expect(promoted).toBe(false);
    // It wins on average (the log-loss over every held-out prediction), and breaks couples; the
    // inversion may spill over to similar travellers (Leisure: two people, a similar budget).
    const { overall, segments } = evaluation;
    expect(overall.candidate.log_loss!).toBeLessThan(overall.active!.log_loss!);
    expect(evaluation.decision.broken).toContain('profile:Couple');
    expect(reason).toMatch(/breaks (.*; )?profile:Couple \(log-loss /);
    const couple = segments['profile:Couple']!;
    expect(couple.candidate.log_loss!).toBeGreaterThan(couple.active!.log_loss! * 1.25);
    // Nothing changed in the registry but a new candidate.
    expect((await getActiveModel(platform.database.db))!.id).toBe(baselineId);
    expect((await getModel(platform.database.db, result!.candidate.modelId))!.status).toBe(
      'candidate',
    );
  }, 120_000);

  it('promotes the candidate that fixes the noisy travellers, who then accept its rankings', async () => {
    expect(acceptance(noisyBefore)).toBeLessThan(0.1);
    const { id } = await operator('POST', '/v1/models/train', { seed: 7 });
    let run: { status: string; result: unknown; error: string | null };
    do {
      await new Promise((r) => setTimeout(r, 200));
      // A client route: the operator token is not a client key.
      run = (await (
        await fetch(`${platform.api.url}/v1/trainings/${String(id)}`)
      ).json()) as typeof run;
    } while (run.status === 'queued' || run.status === 'running');
    expect(run.error).toBeNull();
    const result = trainingResultSchema.parse(run.result);
    const { evaluation } = result;
    expect(result.promoted).toBe(true);
    expect(evaluation.decision.failing).toContain(NOISY);
    expect(evaluation.decision.broken).toEqual([]);
    expect(evaluation.segments[NOISY]!.activeOnline.acceptance!).toBeLessThan(0.1);
    // The verdict stored is the rule's, with the thresholds it was taken with.
    expect(decidePromotion(evaluation, evaluation.thresholds)).toEqual(evaluation.decision);
    expect(evaluation.thresholds).toEqual(defaults.promotion);
    const model = await getModel(platform.database.db, result.candidate.modelId);
    expect(model!.status).toBe('active');
    expect(
      modelEvaluationSchema.parse((model!.metrics as { evaluation: unknown }).evaluation),
    ).toEqual(evaluation);

    // Online, the noisy travellers now mostly find a stay; the regular ones still do.
    let served: SessionOutcome[];
    do {
      served = await simulateSessions(platform.client, 1, { seed: 13 });
    } while (served[0]!.modelId !== result.candidate.modelId);
    const noisyAfter = await simulateSessions(platform.client, 100, { seed: 14, noisy: true });
    const regularAfter = await simulateSessions(platform.client, 100, { seed: 15 });
    expect(new Set(noisyAfter.map((s) => s.modelId))).toEqual(new Set([result.candidate.modelId]));
    expect(acceptance(noisyAfter)).toBeGreaterThan(0.5);
    expect(acceptance(regularAfter)).toBeGreaterThan(0.7);
  }, 180_000);
});
