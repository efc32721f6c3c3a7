import { randomUUID } from 'node:crypto';

import {
  activateModel,
  createPrediction,
  getActiveModel,
  getPrediction,
  getRanking,
  insertLocations,
  labelledStays,
  listLocations,
  readPredictionWithRanking,
  recordFeedback,
  registerModel,
} from '@predictq/db';
import { claimPredictions, completePredictions, failPrediction } from '@predictq/predictions';

import { enrichedFamilyRequest, stay } from '../fixtures/domain';
import { countRows, createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let locationIds: number[];
let modelId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await insertLocations(
    database.db,
    Array.from({ length: 5 }, (_, i) => stay({ price: 100 + i })),
  );
  locationIds = (await listLocations(database.db)).map((l) => l.id);
  const model = await registerModel(database.db, {
    name: 'test',
    sha256: 'ab'.repeat(32),
    artifactPath: 'test/model.onnx',
    onnx: new Uint8Array([1, 2, 3]),
    manifest: {},
  });
  modelId = model.id;
});

afterAll(async () => {
  await database.drop();
});

async function succeededPrediction(): Promise<string> {
  const id = randomUUID();
  await createPrediction(database.db, { id, request: enrichedFamilyRequest });
  await claimPredictions(database.db, [id]);
  await completePredictions(database.db, [
    {
      predictionId: id,
      modelId,
      ranking: locationIds
        .slice(0, 3)
        .map((locationId, i) => ({ locationId, score: 0.9 - i / 10 })),
    },
  ]);
  return id;
}

/** The names of the prepared statements the pool runs from now until stop(). */
function watchStatements(): { names: string[]; stop: () => void } {
  const pool = database.db.$client;
  const query = pool.query.bind(pool);
  const names: string[] = [];
  const observe = (config: unknown, ...rest: unknown[]): unknown => {
    const name = (config as { name?: string }).name;
    if (name) names.push(name);
    return (query as (...args: unknown[]) => unknown)(config, ...rest);
  };
  const spy = jest.spyOn(pool, 'query').mockImplementation(observe);
  return { names, stop: () => spy.mockRestore() };
}

describe('the pool', () => {
  // JIT compiling made a model's 30-day quality 5x slower at 1M predictions.
  it('runs its statements without JIT compilation', async () => {
    const { rows } = await database.db.$client.query<{ jit: string }>('SHOW jit');
    expect(rows[0]!.jit).toBe('off');
  });
});

describe('predictions', () => {
  it('returns the existing prediction for a reused idempotency key and stores one row', async () => {
    const key = randomUUID();
    const first = await createPrediction(database.db, {
      id: randomUUID(),
      request: enrichedFamilyRequest,
      idempotencyKey: key,
    });
    const second = await createPrediction(database.db, {
      id: randomUUID(),
      request: enrichedFamilyRequest,
      idempotencyKey: key,
    });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.prediction.id).toBe(first.prediction.id);
    const stored = await countRows(
      database,
      'select count(*)::int as n from predictions where idempotency_key = $1',
      [key],
    );
    expect(stored).toBe(1);
  });

  // The submissions of one turn of the event loop share one INSERT; what each caller gets is what
  // it would get alone, and a row whose values fail the statement fails alone.
  it('stores concurrent submissions in one statement, each with its own outcome', async () => {
    const { names: statements, stop } = watchStatements();
    try {
      const key = randomUUID();
      const ids = Array.from({ length: 4 }, () => randomUUID());
      const webhookEventsFilter = ['completed', 'output "quoted" \\ back'];
      const results = await Promise.all([
        createPrediction(database.db, { id: ids[0]!, request: enrichedFamilyRequest }),
        createPrediction(database.db, {
          id: ids[1]!,
          request: enrichedFamilyRequest,
          idempotencyKey: key,
          webhook: 'https://example.com/hook',
          webhookEventsFilter,
          cancelAfterS: 60,
        }),
        createPrediction(database.db, {
          id: ids[2]!,
          request: enrichedFamilyRequest,
          idempotencyKey: key,
        }),
        createPrediction(database.db, { id: ids[3]!, request: enrichedFamilyRequest }),
      ]);
      expect(statements.filter((n) => n.startsWith('insert_prediction'))).toEqual([
        'insert_predictions',
      ]);
      expect(results.map((r) => r.created)).toEqual([true, true, false, true]);
      expect(results.map((r) => r.prediction.id)).toEqual([ids[0], ids[1], ids[1], ids[3]]);
      const withOptions = results[1].prediction;
      expect(withOptions).toMatchObject({
        status: 'queued',
        people_age: enrichedFamilyRequest.people_age,
        time_arrival: enrichedFamilyRequest.time_arrival,
        webhook: 'https://example.com/hook',
        webhook_events_filter: webhookEventsFilter,
      });
      const cancelIn = withOptions.cancel_at!.getTime() - withOptions.created_at.getTime();
      expect(cancelIn).toBeGreaterThan(59_000);
      expect(cancelIn).toBeLessThan(61_000);
      expect(results[0].prediction).toMatchObject({ webhook: null, cancel_at: null });

      statements.length = 0;
      const unknownClient = randomUUID();
      const [good, bad, alsoGood] = await Promise.allSettled([
        createPrediction(database.db, { id: randomUUID(), request: enrichedFamilyRequest }),
        createPrediction(database.db, {
          id: randomUUID(),
          request: enrichedFamilyRequest,
          clientId: unknownClient,
        }),
        createPrediction(database.db, { id: randomUUID(), request: enrichedFamilyRequest }),
      ]);
      expect(good.status).toBe('fulfilled');
      expect(alsoGood.status).toBe('fulfilled');
      expect(bad).toMatchObject({ status: 'rejected', reason: { code: '23503' } });
      // The statement for three, then each alone.
      expect(statements).toEqual([
        'insert_predictions',
        'insert_prediction',
        'insert_prediction',
        'insert_prediction',
      ]);
      const stored = await countRows(
        database,
        'select count(*)::int as n from predictions where client_id = $1',
        [unknownClient],
      );
      expect(stored).toBe(0);
    } finally {
      stop();
    }
  });

  it('stores the ranking once even when a completion is delivered twice', async () => {
    const id = await succeededPrediction();
    const again = await completePredictions(database.db, [
      { predictionId: id, modelId, ranking: [{ locationId: locationIds[4]!, score: 0.99 }] },
    ]);
    expect(again).toEqual([]);
    const ranking = await getRanking(database.db, id);
    expect(ranking.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(ranking.map((r) => r.location_id)).toEqual(locationIds.slice(0, 3));
    const prediction = await getPrediction(database.db, id);
    expect(prediction).toMatchObject({ status: 'succeeded', model_id: modelId, attempts: 1 });
  });

  it('does not claim or fail a prediction that already ended', async () => {
    const id = await succeededPrediction();
    expect(await claimPredictions(database.db, [id])).toEqual([]);
    expect(await failPrediction(database.db, id, 'late failure')).toBe(false);
    expect((await getPrediction(database.db, id))?.status).toBe('succeeded');
  });
});

describe('feedback', () => {
  it('refuses feedback before the prediction succeeded', async () => {
    const id = randomUUID();
    await createPrediction(database.db, { id, request: enrichedFamilyRequest });
    expect(await recordFeedback(database.db, id, null)).toEqual({
      kind: 'not_ready',
      status: 'queued',
    });
    expect(await recordFeedback(database.db, randomUUID(), null)).toEqual({
      kind: 'prediction_not_found',
    });
  });

  it('labels the chosen shown stay 1, the other shown stays 0, and unshown ones not at all', async () => {
    const id = await succeededPrediction();
    await readPredictionWithRanking(database.db, id, 2);
    expect(await recordFeedback(database.db, id, locationIds[2]!)).toEqual({
      kind: 'not_shown',
      locationId: locationIds[2],
    });
    const result = await recordFeedback(database.db, id, locationIds[1]!);
    expect(result).toMatchObject({
      kind: 'recorded',
      feedback: {
        outcome: 'chosen',
        location_id: locationIds[1],
        chosen_rank: 2,
        model_id: modelId,
      },
    });
    const labels = (await labelledStays(database.db, id)).map((r) => r.label);
    expect(labels).toEqual([0, 1, null]);
    expect(await recordFeedback(database.db, id, null)).toMatchObject({ kind: 'duplicate' });
  });

  it('records concurrent feedbacks in one statement, each with its own outcome', async () => {
    const [shownTwo, other, twice] = await Promise.all([
      succeededPrediction(),
      succeededPrediction(),
      succeededPrediction(),
    ]);
    for (const id of [shownTwo, other, twice]) {
      await readPredictionWithRanking(database.db, id, 2);
    }
    const queued = randomUUID();
    await createPrediction(database.db, { id: queued, request: enrichedFamilyRequest });
    const { names, stop } = watchStatements();
    try {
      const results = await Promise.all([
        recordFeedback(database.db, shownTwo, locationIds[1]!),
        recordFeedback(database.db, other, locationIds[2]!),
        recordFeedback(database.db, queued, null),
        recordFeedback(database.db, randomUUID(), null),
        recordFeedback(database.db, other, null, randomUUID()),
        recordFeedback(database.db, twice, null),
        recordFeedback(database.db, twice, locationIds[0]!),
      ]);
      expect(results.map((r) => r.kind)).toEqual([
        'recorded',
        'not_shown',
        'not_ready',
        'prediction_not_found',
        'prediction_not_found',
        'recorded',
        'duplicate',
      ]);
      expect(results[0]).toMatchObject({
        feedback: { prediction_id: shownTwo, outcome: 'chosen', chosen_rank: 2 },
      });
      expect(results[5]).toMatchObject({ feedback: { prediction_id: twice, outcome: 'none' } });
      expect(results[6]).toMatchObject({ feedback: { prediction_id: twice, outcome: 'none' } });
      // One statement for the turn, and one more for the second mentions of a prediction.
      expect(names.filter((n) => n.startsWith('record_feedback'))).toEqual([
        'record_feedbacks',
        'record_feedbacks',
      ]);
    } finally {
      stop();
    }
    expect((await labelledStays(database.db, shownTwo)).map((r) => r.label)).toEqual([0, 1, null]);
  });

  it('records "none fitted" as label 0 on every shown stay', async () => {
    const id = await succeededPrediction();
    await readPredictionWithRanking(database.db, id, 3);
    expect(await recordFeedback(database.db, id, null)).toMatchObject({
      kind: 'recorded',
      feedback: { outcome: 'none', location_id: null },
    });
    expect((await labelledStays(database.db, id)).map((r) => r.label)).toEqual([0, 0, 0]);
  });
});

describe('models', () => {
  it('returns the existing entry when the same bytes are registered again', async () => {
    const again = await registerModel(database.db, {
      name: 'test again',
      sha256: 'ab'.repeat(32),
      artifactPath: 'elsewhere/model.onnx',
      onnx: new Uint8Array([1, 2, 3]),
      manifest: {},
    });
    expect(again).toMatchObject({ id: modelId, created: false, name: 'test' });
  });

  it('keeps exactly one active model when another is activated', async () => {
    const other = await registerModel(database.db, {
      name: 'other',
      sha256: 'cd'.repeat(32),
      artifactPath: 'other/model.onnx',
      onnx: new Uint8Array([4]),
      manifest: {},
    });
    await activateModel(database.db, modelId);
    await activateModel(database.db, other.id);
    expect((await getActiveModel(database.db))?.id).toBe(other.id);
    const { rows } = await database.pool.query(
      `select id, status from models where status = 'active'`,
    );
    expect(rows).toEqual([{ id: other.id, status: 'active' }]);
    expect(await activateModel(database.db, randomUUID())).toBeUndefined();
  });
});
