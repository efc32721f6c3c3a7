// Online rollouts decided by the platform, with a real API, worker, PostgreSQL, Redis and ONNX
// Runtime: a canary whose users accept it clearly more is promoted by the decision loop on its
// own, one they accept clearly less is rolled back, a shadow model never changes what a client
// receives, and the operator's moves (manual activation, the traffic split) are defined against a
// running rollout. The feedback is simulated per arm: it is the online evidence the test reads.
import { examplesFromRows } from '@predictq/bootstrap';
import { PredictqClient } from '@predictq/client';
import { EXAMPLE_TRAVELLER_REQUEST } from '@predictq/domain';
import { trainRanker } from '@predictq/model';
import { createRng } from '@predictq/random';
import {
  generateDataset,
  labelledRows,
  readLocationProfiles,
  readTravellerProfiles,
} from '@predictq/simulation';

import { startPlatform, type TestPlatform } from '../support/platform';

const TOKEN = 'rollout-test-token-0123456789';
let platform: TestPlatform;
let operator: PredictqClient;
let baselineId: string;

async function uploadModel(seed: number): Promise<string> {
  const dataset = generateDataset({
    seed,
    requests: 200,
    travellerProfiles: await readTravellerProfiles(),
    locationProfiles: await readLocationProfiles(),
  });
  const trained = trainRanker({
    examples: examplesFromRows(labelledRows(dataset)),
    seed,
    name: `rollout-${seed}`,
    trainer: { epochs: 2 },
  });
  const model = await operator.request('uploadModel', {
    body: {
      manifest: trained.manifest,
      onnx_base64: Buffer.from(trained.onnx).toString('base64'),
    },
  });
  return model.id;
}

const request = (i: number) => ({ ...EXAMPLE_TRAVELLER_REQUEST, budget: 150 + (i % 40) * 10 });

// One stream of draws for the whole file: a generator's first draw follows its seed too closely
// for one fresh generator per session (seeds 0, 1, 2... all drew "not chosen" at p = 0.8).
const draws = createRng(20261202);

/** One session: submit, wait, and feedback chosen with the arm's acceptance. */
async function session(i: number, acceptance: (modelId: string) => number, rng = draws) {
  const { id } = await platform.client.submitPrediction(request(i));
  let prediction = await platform.client.getPrediction(id, 10);
  while (prediction.status !== 'succeeded') {
    if (prediction.status === 'failed') throw new Error(`prediction ${id} failed`);
    prediction = await platform.client.getPrediction(id, 10);
  }
  const output = prediction.output!;
  const chosen = rng.bernoulli(acceptance(output.model.id)) ? output.ranking[0]!.location_id : null;
  await platform.client.sendFeedback(id, chosen);
  return output;
}

/** Sessions until the rollout ends (the platform decided), at most `max`. */
async function driveUntilDecided(modelId: string, acceptance: (m: string) => number, max = 3000) {
  let i = 0;
  const deadline = Date.now() + 150_000;
  for (;;) {
    await Promise.all(
      Array.from({ length: 8 }, (_, k) =>
        session(i * 8 + k + modelId.charCodeAt(0) * 10_000, acceptance),
      ),
    );
    i += 1;
    const { current } = await operator.request('getRollout', { params: { id: modelId } });
    if (current && current.status !== 'running') return current;
    if (i * 8 >= max || Date.now() > deadline)
      throw new Error('the platform did not decide in time');
  }
}

beforeAll(async () => {
  platform = await startPlatform({
    env: { ADMIN_TOKEN: TOKEN, ROLLOUT_DECISION_INTERVAL_MS: '300', REFRESH_INTERVAL_MS: '200' },
  });
  operator = new PredictqClient({
    baseUrl: platform.api.url,
    operatorToken: TOKEN,
    validateResponses: true,
  });
  const { models } = await operator.request('listModels', {});
  baselineId = models.find((m) => m.status === 'active')!.id;
}, 120_000);

afterAll(async () => {
  await operator?.close();
  await platform?.stop();
}, 60_000);

const policy = {
  mode: 'canary' as const,
  share: 0.5,
  min_feedback: 40,
  max_feedback: 1500,
  guards: { collapse_min_feedback: 100_000 },
};

describe('a canary rollout', () => {
  it('promotes a candidate its users clearly prefer, by itself, with the figures', async () => {
    const candidate = await uploadModel(21);
    const started = await operator.request('startRollout', {
      params: { id: candidate },
      body: policy,
    });
    expect([started.status, started.model_status, started.share]).toEqual([
      'running',
      'canary',
      0.5,
    ]);
    const ended = await driveUntilDecided(candidate, (m) => (m === candidate ? 0.8 : 0.3));
    expect(ended.status).toBe('promoted');
    expect(ended.decisions.map((d) => d.decision)).toEqual(['started', 'promote']);
    const figures = ended.decisions[1]!.figures!;
    expect(figures.candidate!.acceptance!).toBeGreaterThan(figures.active!.acceptance!);
    expect(figures.test!.log_likelihood_ratio).toBeGreaterThanOrEqual(figures.test!.threshold);
    expect(figures.test!.interval![0]).toBeGreaterThan(0);
    const model = await operator.request('getModel', { params: { id: candidate } });
    expect(model.status).toBe('active');
    baselineId = candidate;
  }, 200_000);

  it('rolls back a candidate its users clearly reject; the active model stays', async () => {
    const candidate = await uploadModel(22);
    await operator.request('startRollout', { params: { id: candidate }, body: policy });
    const ended = await driveUntilDecided(candidate, (m) => (m === candidate ? 0.2 : 0.7));
    expect(ended.status).toBe('rolled_back');
    expect(ended.decisions.at(-1)!.decision).toBe('rollback');
    expect(ended.decisions.at(-1)!.reason).toMatch(/worse online/);
    const model = await operator.request('getModel', { params: { id: candidate } });
    expect(model.status).toBe('retired');
    const { models } = await operator.request('listModels', {});
    expect(models.find((m) => m.status === 'active')!.id).toBe(baselineId);
  }, 200_000);

  it('refuses the traffic split while it runs; a manual activation supersedes it', async () => {
    const candidate = await uploadModel(23);
    await operator.request('startRollout', { params: { id: candidate }, body: policy });
    const again = await fetch(`${platform.api.url}/v1/models/${candidate}/rollout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(policy),
    });
    expect(again.status).toBe(409);
    const split = await fetch(`${platform.api.url}/v1/models/traffic`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ candidates: [] }),
    });
    expect(split.status).toBe(409);
    expect(((await split.json()) as { error: { code: string } }).error.code).toBe(
      'rollout_running',
    );
    await operator.request('activateModel', { params: { id: baselineId } });
    const { current } = await operator.request('getRollout', { params: { id: candidate } });
    expect(current!.status).toBe('superseded');
    expect(current!.decisions.at(-1)!.reason).toMatch(/the operator activated/);
    expect(current!.model_status).toBe('candidate');
  }, 120_000);
});

describe('a shadow rollout', () => {
  it('scores a sample apart and never changes what the client receives', async () => {
    const candidate = await uploadModel(24);
    // The same requests before and during the shadow: identical rankings, from the active model.
    const before = [];
    for (let i = 0; i < 10; i++) before.push(await session(i, () => 0.5));
    const started = await operator.request('startRollout', {
      params: { id: candidate },
      body: { mode: 'shadow', share: 1, shadow_sample: 30 },
    });
    expect(started.model_status).toBe('shadow');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // workers load it
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await session(i, () => 0.5));
    for (let i = 0; i < 10; i++) {
      expect(during[i]!.model.id).toBe(baselineId);
      expect(during[i]!.ranking).toEqual(before[i]!.ranking);
    }
    const shadowRows = await platform.database.pool.query(
      'select count(distinct prediction_id)::int as n from shadow_rankings where model_id = $1',
      [candidate],
    );
    expect(shadowRows.rows[0].n).toBeGreaterThanOrEqual(10);
    const ended = await driveUntilDecided(candidate, () => 0.5, 400);
    expect(ended.status).toBe('completed');
    const report = ended.decisions.at(-1)!.figures!.shadow!;
    expect(report.compared).toBeGreaterThanOrEqual(30);
    expect(report.overlap_at_k).toBeGreaterThanOrEqual(0);
    expect(report.overlap_at_k).toBeLessThanOrEqual(1);
    expect(report.predicted_acceptance.candidate).not.toBeNull();
    expect(ended.model_status).toBe('candidate');
  }, 200_000);
});
