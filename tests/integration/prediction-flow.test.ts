// The main path through the real API and worker: submit, poll, read the ranking, give feedback.
import { randomUUID } from 'node:crypto';

import { ApiError } from '@predictq/client';
import { OPERATION_IDS, OPERATIONS } from '@predictq/contract';
import { createPrediction, labelledStays } from '@predictq/db';
import { enrichRequest, isUnfinished } from '@predictq/domain';

import { familyRequest } from '../fixtures/domain';
import { countRows } from '../support/database';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startPlatform({ env: { LOG_LEVEL: 'http' } });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

async function submitAndWait(body = familyRequest) {
  const accepted = await platform.client.submitPrediction(body);
  let prediction = await platform.client.getPrediction(accepted.id, 10);
  while (isUnfinished(prediction.status)) {
    prediction = await platform.client.getPrediction(accepted.id, 10);
  }
  return { accepted, prediction };
}

/** The stored ranking with each stay's shown flag and label (from feedback). */
function rankingRows(id: string) {
  return labelledStays(platform.database.db, id);
}

describe('a prediction through the v1 API', () => {
  it('is accepted as queued with a Location to poll', async () => {
    const response = await fetch(`${platform.api.url}/v1/predictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(familyRequest),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; created_at: string };
    expect(body).toEqual({
      id: expect.any(String),
      status: 'queued',
      created_at: expect.any(String),
    });
    expect(response.headers.get('location')).toBe(`/v1/predictions/${body.id}`);
  });

  it('ends succeeded with the top 10 stays, best first, scored by the active model', async () => {
    const { prediction } = await submitAndWait();
    expect(prediction.status).toBe('succeeded');
    const ranking = prediction.output!.ranking;
    expect(ranking).toHaveLength(10);
    expect(ranking.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 1; i < ranking.length; i++) {
      expect(ranking[i]!.score).toBeLessThanOrEqual(ranking[i - 1]!.score);
    }
    expect(new Set(ranking.map((s) => s.location_id)).size).toBe(10);
    // The candidate stage only lets through stays within 1.5 × the budget (enough exist here).
    for (const stay of ranking)
      expect(stay.location.price).toBeLessThanOrEqual(familyRequest.budget * 1.5);
    expect(prediction.output!.model.version).toBe(1);
    expect(prediction.input).toEqual(familyRequest);
    expect(prediction.error).toBeNull();
    const created = Date.parse(prediction.created_at);
    const started = Date.parse(prediction.started_at!);
    const completed = Date.parse(prediction.completed_at!);
    expect(created).toBeLessThanOrEqual(started);
    expect(started).toBeLessThanOrEqual(completed);
  });

  it('marks the returned stays as shown when a succeeded prediction is read', async () => {
    const accepted = await platform.client.submitPrediction(familyRequest);
    // Wait for the end without reading it: the database tells when it succeeded.
    for (;;) {
      const { rows } = await platform.database.pool.query(
        'select status from predictions where id = $1',
        [accepted.id],
      );
      if (rows[0].status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await rankingRows(accepted.id)).every((r) => !r.shown)).toBe(true);
    await platform.client.getPrediction(accepted.id);
    const rows = await rankingRows(accepted.id);
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.shown)).toBe(true);
  });

  it('stores feedback on a shown stay, labels the ranking, and refuses a second one', async () => {
    const { accepted, prediction } = await submitAndWait();
    const chosen = prediction.output!.ranking[2]!;
    const feedback = await platform.client.sendFeedback(accepted.id, chosen.location_id);
    expect(feedback).toMatchObject({
      prediction_id: accepted.id,
      outcome: 'chosen',
      location_id: chosen.location_id,
      rank: 3,
    });
    const labels = (await rankingRows(accepted.id)).map((r) => r.label);
    expect(labels).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    await expect(platform.client.sendFeedback(accepted.id, null)).rejects.toMatchObject({
      status: 409,
      code: 'feedback_exists',
    });
  });

  it('records "none fitted" as a label 0 on every shown stay', async () => {
    const { accepted } = await submitAndWait();
    expect(await platform.client.sendFeedback(accepted.id, null)).toMatchObject({
      outcome: 'none',
      location_id: null,
      rank: null,
    });
    expect((await rankingRows(accepted.id)).map((r) => r.label)).toEqual(Array(10).fill(0));
  });

  it('refuses feedback for a stay that was not returned, an unknown prediction, or one not done', async () => {
    const { accepted, prediction } = await submitAndWait();
    const returned = new Set(prediction.output!.ranking.map((s) => s.location_id));
    const other = [...Array(210).keys()].map((i) => i + 1).find((id) => !returned.has(id))!;
    await expect(platform.client.sendFeedback(accepted.id, other)).rejects.toMatchObject({
      status: 422,
      code: 'location_not_shown',
    });
    await expect(platform.client.sendFeedback(randomUUID(), null)).rejects.toMatchObject({
      status: 404,
    });
    // A prediction stored but never enqueued stays queued.
    const queued = randomUUID();
    await createPrediction(platform.database.db, {
      id: queued,
      request: enrichRequest(familyRequest),
    });
    await expect(platform.client.sendFeedback(queued, null)).rejects.toMatchObject({
      status: 409,
      code: 'prediction_not_ready',
    });
    const feedback = await countRows(
      platform.database,
      'select count(*)::int as n from feedback where prediction_id = any($1)',
      [[accepted.id, queued]],
    );
    expect(feedback).toBe(0);
  });

  it('answers 404 for an unknown or malformed prediction id', async () => {
    await expect(platform.client.getPrediction(randomUUID())).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    const response = await fetch(`${platform.api.url}/v1/predictions/not-an-id`);
    expect(response.status).toBe(404);
  });
});

describe('idempotency', () => {
  it('returns the same prediction for the same key and never a second job or row', async () => {
    const key = `test-${randomUUID()}`;
    const first = await platform.client.submitPrediction(familyRequest, key);
    const second = await platform.client.submitPrediction(familyRequest, key);
    expect(second.id).toBe(first.id);
    const stored = await countRows(
      platform.database,
      'select count(*)::int as n from predictions where idempotency_key = $1',
      [key],
    );
    expect(stored).toBe(1);
  });

  it('refuses the same key with another body', async () => {
    const key = `test-${randomUUID()}`;
    await platform.client.submitPrediction(familyRequest, key);
    const error = (await platform.client
      .submitPrediction({ ...familyRequest, budget: 999 }, key)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.code).toBe('idempotency_key_reused');
  });
});

describe('the MLprod-compatible routes', () => {
  it('run the original client flow: start, status, results, select', async () => {
    const { name: _n, profile: _p, ...original } = { ...familyRequest, name: 'Family' };
    const task = await platform.client.startInference({
      ...original,
      name: 'Family',
      extra: 1,
    } as never);
    expect(task).toEqual({ task_id: expect.any(String), status: 'PENDING', type: 'inference' });
    let status = await platform.client.inferenceStatus(task.task_id);
    while (status.status !== 'SUCCESS') {
      expect(['PENDING', 'STARTED']).toContain(status.status);
      await new Promise((r) => setTimeout(r, 20));
      status = await platform.client.inferenceStatus(task.task_id);
    }
    const results = await platform.client.inferenceResults(task.task_id, 3);
    expect(results).toHaveLength(3);
    expect(Object.keys(results[0]!)).toEqual([
      'location_id',
      'score',
      'children',
      'breakfast',
      'lunch',
      'dinner',
      'price',
      'has_pool',
      'has_spa',
      'animals',
      'near_lake',
      'near_mountains',
      'has_sport',
      'family_rating',
      'outdoor_rating',
      'food_rating',
      'leisure_rating',
      'service_rating',
      'user_score',
    ]);
    expect(results[0]!.score).toBeGreaterThanOrEqual(results[1]!.score);
    // Only the results returned are marked shown.
    const shown = (await rankingRows(task.task_id)).map((r) => r.shown);
    expect(shown).toEqual([true, true, true, false, false, false, false, false, false, false]);
    const selected = await platform.client.selectLocation(task.task_id, results[1]!.location_id);
    expect(selected).toMatchObject({
      task_id: task.task_id,
      location_id: results[1]!.location_id,
      rank: 2,
      label: 1,
    });
    const stored = await platform.database.pool.query(
      'select profile from predictions where id = $1',
      [task.task_id],
    );
    expect(stored.rows[0].profile).toBe('Family');
  });

  it('records -1 as "none fitted" and answers null; an unknown task is 404 everywhere', async () => {
    const task = await platform.client.startInference(familyRequest);
    let status = await platform.client.inferenceStatus(task.task_id);
    while (status.status !== 'SUCCESS')
      status = await platform.client.inferenceStatus(task.task_id);
    await platform.client.inferenceResults(task.task_id);
    // The original's path has a trailing slash; without it works too.
    const response = await fetch(`${platform.api.url}/inference/select`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task_id: task.task_id, location_id: -1 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toBeNull();
    const { rows } = await platform.database.pool.query(
      'select outcome from feedback where prediction_id = $1',
      [task.task_id],
    );
    expect(rows).toEqual([{ outcome: 'none' }]);
    const unknown = randomUUID();
    await expect(platform.client.inferenceStatus(unknown)).rejects.toMatchObject({ status: 404 });
    await expect(platform.client.inferenceResults(unknown)).rejects.toMatchObject({ status: 404 });
    await expect(platform.client.selectLocation(unknown, 3)).rejects.toMatchObject({ status: 404 });
  });

  it('serve the catalogue and the counts', async () => {
    const info = (await (await fetch(`${platform.api.url}/content/info`)).json()) as {
      locations: number;
      users: number;
    };
    expect(info.locations).toBe(210);
    expect(info.users).toBe(
      await countRows(platform.database, 'select count(*)::int as n from predictions'),
    );
    const locations = (await (await fetch(`${platform.api.url}/content/locations`)).json()) as {
      location_id: number;
    }[];
    expect(locations).toHaveLength(210);
    const one = (await (await fetch(`${platform.api.url}/content/location/7`)).json()) as {
      location_id: number;
    };
    expect(one.location_id).toBe(7);
    expect((await fetch(`${platform.api.url}/content/location/9999`)).status).toBe(404);
  });
});

describe('the service routes', () => {
  it('lists and serves locations', async () => {
    const list = (await (await fetch(`${platform.api.url}/v1/locations`)).json()) as {
      count: number;
      locations: { id: number }[];
    };
    expect(list.count).toBe(210);
    expect(list.locations[0]!.id).toBe(1);
    expect((await fetch(`${platform.api.url}/v1/locations/210`)).status).toBe(200);
    expect((await fetch(`${platform.api.url}/v1/locations/211`)).status).toBe(404);
  });

  it('reports liveness and readiness', async () => {
    expect((await fetch(`${platform.api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${platform.api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', redis: 'ok', model: 'ok' },
    });
    const worker = (await (await fetch(`${platform.worker!.url}/healthz`)).json()) as {
      status: string;
      locations: number;
    };
    expect(worker).toMatchObject({ status: 'ok', locations: 210 });
  });

  it('publishes an OpenAPI document covering every route', async () => {
    const doc = (await (await fetch(`${platform.api.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    // The live document describes exactly the contract's operations, each under its own id.
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, op]) => `${method} ${path} ${(op as { operationId: string }).operationId}`,
      ),
    );
    const declared = OPERATION_IDS.map(
      (id) => `${OPERATIONS[id].method} ${OPERATIONS[id].path} ${id}`,
    );
    expect(documented.sort()).toEqual(declared.sort());
    const post = doc.paths['/v1/predictions']!.post as {
      requestBody: { content: Record<string, { schema: { $ref: string } }> };
    };
    const ref = post.requestBody.content['application/json']!.schema.$ref;
    // The traveller request and the submission options (webhook, cancel_after).
    expect(ref).toBe('#/components/schemas/PredictionSubmission');
    const schema = doc.components.schemas.PredictionSubmission as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['people_num', 'people_age', 'budget', 'time_arrival']),
    );
    expect(schema.additionalProperties).toBe(false);
    // Every $ref points at a component that exists.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const r of refs) expect(doc.components.schemas).toHaveProperty(r.split('/').pop()!);
  });

  it('echoes the request id and writes it on the request log lines', async () => {
    const requestId = `test-${randomUUID()}`;
    const response = await fetch(`${platform.api.url}/v1/locations/1`, {
      headers: { 'x-request-id': requestId },
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const line = await platform.api.waitForLog((l) => l.requestId === requestId);
    expect(line).toMatchObject({ route: '/v1/locations/:id', status: 200, method: 'GET' });
  });
});
