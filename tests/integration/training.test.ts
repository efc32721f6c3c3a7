// Closing the loop: training from feedback, the registry (lineage, promotion, rollback) and a
// canary split, on a real API and worker (training runs in the worker's thread).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PredictqClient } from '@predictq/client';
import type { TrainingRequestBody, TrainingResultBody } from '@predictq/contract';
import { unitHash } from '@predictq/domain';
import { sha256Hex } from '@predictq/model';
import { decidePromotion, type ModelEvaluation, trainingResultSchema } from '@predictq/training';

import { familyRequest } from '../fixtures/domain';
import { countRows } from '../support/database';
import { runModelDir } from '../support/env';
import { startPlatform, type TestPlatform } from '../support/platform';
import { simulateSessions } from '../support/sessions';

const TOKEN = 'test-operator-token-0123456789';
let platform: TestPlatform;
let baselineId: string;

let operatorClient: PredictqClient;

async function operator(method: string, route: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${platform.api.url}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A training run to its end, through the typed client (the result parsed by the contract). */
async function train(params: TrainingRequestBody = {}) {
  const started = await operatorClient.request('trainModel', { body: params });
  for (;;) {
    const run = await operatorClient.request('getTraining', { params: { id: started.id } });
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const listModels = async () => (await platform.client.request('listModels', {})).models;

/** Waits until the worker serves with exactly these models (it refreshes every 200 ms here). */
async function workerServes(ids: string[]): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${platform.worker!.url}/healthz`)).json()) as {
      models: { id: string }[];
    };
    if (
      health.models
        .map((m) => m.id)
        .sort()
        .join() === [...ids].sort().join()
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  platform = await startPlatform({
    env: {
      ADMIN_TOKEN: TOKEN,
      TRAINING_MIN_ROWS: '300',
      REFRESH_INTERVAL_MS: '200',
    },
  });
  operatorClient = new PredictqClient({
    baseUrl: platform.api.url,
    operatorToken: TOKEN,
    validateResponses: true,
  });
  baselineId = (await listModels())[0]!.id;
}, 60_000);

afterAll(async () => {
  await operatorClient?.close();
  await platform?.stop();
});

describe('training from feedback', () => {
  it('fails with a clear reason and changes nothing when there are too few labels', async () => {
    await simulateSessions(platform.client, 5, { seed: 1 });
    const run = await train();
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(
      /too few labelled rows: \d+ shown stays with feedback, at least 300 needed/,
    );
    expect(run.model_id).toBeNull();
    expect(await countRows(platform.database, 'select count(*)::int as n from models')).toBe(1);
    expect(
      await countRows(platform.database, 'select count(*)::int as n from training_examples'),
    ).toBe(0);
  }, 60_000);

  it('registers a new model with its metrics, artifact and row-level lineage', async () => {
    // Feedback from regular users, then from the noisy profile the baseline serves badly.
    await simulateSessions(platform.client, 60, { seed: 2 });
    await simulateSessions(platform.client, 60, { seed: 3, noisy: true });
    const run = await train({ seed: 7 });
    expect(run.status).toBe('succeeded');
    const { dataset, candidate, active, evaluation } = trainingResultSchema.parse(run.result);
    expect(dataset.rows).toBe(dataset.trainRows + dataset.holdoutRows);
    expect(dataset.positives).toBeGreaterThan(0);
    expect(active!.modelId).toBe(baselineId);

    const model = await platform.client.request('getModel', { params: { id: candidate.modelId } });
    // A model's metrics are the training package's (a record in the contract).
    const metrics = model.metrics as {
      holdout: { auc: number; log_loss: number; f1: number };
      evaluation: ModelEvaluation;
    };
    expect(model.source).toBe('training');
    expect(metrics.holdout).toMatchObject({
      auc: candidate.metrics.auc,
      log_loss: expect.any(Number),
    });
    expect(metrics.evaluation).toEqual(evaluation);
    expect(evaluation.decision.promoted).toBe(run.result!.promoted);
    expect(model.lineage!.training_run_id).toBe(run.id);
    expect(Object.fromEntries(model.lineage!.rows.map((r) => [r.split, r.rows]))).toEqual({
      train: dataset.trainRows,
      holdout: dataset.holdoutRows,
    });
    // Every lineage row is a shown stay of a prediction with feedback, labelled as that feedback says.
    const mismatched = await countRows(
      platform.database,
      `select count(*)::int as n from training_examples e
       join feedback f on f.prediction_id = e.prediction_id
       where e.training_run_id = $1
         and e.label <> (case when f.location_id = e.location_id then 1 else 0 end)`,
      [run.id],
    );
    expect(mismatched).toBe(0);
    const file = path.join(runModelDir(), model.artifact_path!);
    expect(existsSync(file)).toBe(true);
    expect(sha256Hex(readFileSync(file))).toBe(model.sha256);
    // Both models were evaluated on the same held-out predictions, per segment (the declared
    // profiles), and the decision is the promotion rule's on those figures.
    expect(evaluation.overall.candidate.predictions).toBe(evaluation.overall.active!.predictions);
    expect(Object.keys(evaluation.segments)).toContain('profile:Noisy groups');
    expect(decidePromotion(evaluation, evaluation.thresholds)).toEqual(evaluation.decision);
    const { rows: actives } = await platform.database.pool.query(
      `select id from models where status = 'active'`,
    );
    expect(actives[0].id).toBe(run.result!.promoted ? candidate.modelId : baselineId);
  }, 120_000);

  it('gives the same model bytes for the same seed and data', async () => {
    const runs = (
      await platform.database.pool.query<{ result: TrainingResultBody }>(
        `select result from training_runs where status = 'succeeded' order by created_at`,
      )
    ).rows;
    const again = await train({ seed: 7 });
    expect(again.status).toBe('succeeded');
    expect(again.result!.candidate.sha256).toBe(runs.at(-1)!.result.candidate.sha256);
    expect(again.result!.candidate.newlyRegistered).toBe(false);
    const other = await train({ seed: 8 });
    expect(other.result!.candidate.sha256).not.toBe(again.result!.candidate.sha256);
  }, 120_000);
});

describe('promotion, rollback and canaries', () => {
  it('changes which model scores new predictions without restarting the worker', async () => {
    const pid = platform.worker!.child.pid;
    const models = await listModels();
    const trained = models.find((m) => m.source === 'training')!;

    expect((await operator('POST', `/v1/models/${trained.id}/activate`)).status).toBe(200);
    await workerServes([trained.id]);
    const after = await simulateSessions(platform.client, 10, { seed: 4 });
    expect(new Set(after.map((s) => s.modelId))).toEqual(new Set([trained.id]));

    expect((await operator('POST', `/v1/models/${baselineId}/activate`)).status).toBe(200);
    await workerServes([baselineId]);
    const rolledBack = await simulateSessions(platform.client, 10, { seed: 5 });
    expect(new Set(rolledBack.map((s) => s.modelId))).toEqual(new Set([baselineId]));
    expect(platform.worker!.child.pid).toBe(pid);
    expect(platform.worker!.running).toBe(true);
  }, 60_000);

  it('routes a 90/10 split by prediction id, within 0.1 ± 0.045 over 600 predictions', async () => {
    const models = await listModels();
    const canary = models.find((m) => m.status !== 'active')!;
    const split = await operator('PUT', '/v1/models/traffic', {
      candidates: [{ model_id: canary.id, weight: 0.1 }],
    });
    expect(split.status).toBe(200);
    expect(split.body.split).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ model_id: baselineId, share: 0.9 }),
        expect.objectContaining({ model_id: canary.id, share: 0.1 }),
      ]),
    );
    await workerServes([baselineId, canary.id]);
    const client = new PredictqClient({ baseUrl: platform.api.url, connections: 32 });
    try {
      const ids = await Promise.all(
        Array.from({ length: 600 }, async (_, i) => {
          const { id } = await client.submitPrediction({ ...familyRequest, budget: 200 + i });
          return id;
        }),
      );
      for (;;) {
        const succeeded = await countRows(
          platform.database,
          `select count(*)::int as n from predictions where id = any($1) and status = 'succeeded'`,
          [ids],
        );
        if (succeeded === ids.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const { rows } = await platform.database.pool.query<{ id: string; model_id: string }>(
        'select id, model_id from predictions where id = any($1)',
        [ids],
      );
      // Each prediction's model follows from its id alone, and the shares follow the split.
      for (const row of rows)
        expect(row.model_id).toBe(unitHash(row.id) < 0.1 ? canary.id : baselineId);
      const share = rows.filter((r) => r.model_id === canary.id).length / rows.length;
      expect(share).toBeGreaterThan(0.055);
      expect(share).toBeLessThan(0.145);
    } finally {
      await client.close();
    }
    expect((await operator('PUT', '/v1/models/traffic', { candidates: [] })).status).toBe(200);
    await workerServes([baselineId]);
  }, 120_000);

  it('refuses a split that names the active model or adds up to more than 1', async () => {
    expect(
      await operator('PUT', '/v1/models/traffic', {
        candidates: [{ model_id: baselineId, weight: 0.2 }],
      }),
    ).toMatchObject({ status: 422, body: { error: { code: 'invalid_traffic_split' } } });
    const models = await listModels();
    const others = models.filter((m) => m.status !== 'active').slice(0, 2);
    const tooMuch = await operator('PUT', '/v1/models/traffic', {
      candidates: others.map((m) => ({ model_id: m.id, weight: 0.6 })),
    });
    expect(tooMuch.status).toBe(422);
    expect(
      await countRows(
        platform.database,
        'select count(*)::int as n from models where traffic_weight > 0',
      ),
    ).toBe(0);
  });
});

describe('operator routes', () => {
  it('refuse a missing or wrong token and accept the right one', async () => {
    const routes: [string, string, unknown][] = [
      ['POST', '/v1/models/train', {}],
      ['POST', '/train/start', {}],
      ['POST', `/v1/models/${baselineId}/activate`, undefined],
      ['PUT', '/v1/models/traffic', { candidates: [] }],
      ['POST', '/v1/models', { manifest: {}, onnx_base64: 'AA==' }],
    ];
    for (const [method, route, body] of routes) {
      expect((await operator(method, route, body, '')).status).toBe(401);
      expect((await operator(method, route, body, 'wrong-token-wrong-token')).status).toBe(401);
    }
    const compat = await operator('POST', '/train/start', {});
    expect(compat.body).toEqual({
      task_id: expect.any(String),
      status: 'PENDING',
      type: 'training',
    });
    // Reading stays open.
    expect((await fetch(`${platform.api.url}/v1/models`)).status).toBe(200);
  });
});
