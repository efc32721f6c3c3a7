// The operator's counts over the hourly rollups (a model's quality in a window, /content/info's
// number of predictions) equal a plain count over the tables, whichever hours are rolled up, and
// stay right as new rows arrive and after a bulk load resets the rollups.
import { randomUUID } from 'node:crypto';

import {
  countPredictions,
  createPrediction,
  insertLocations,
  listLocations,
  modelQuality,
  readPredictionWithRanking,
  recordFeedback,
  registerModel,
  RESET_ROLLUPS_SQL,
} from '@predictq/db';
import { claimPredictions, completePredictions } from '@predictq/predictions';

import { enrichedFamilyRequest, stay } from '../fixtures/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let locationIds: number[];
let modelId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase();
  await insertLocations(
    database.db,
    Array.from({ length: 3 }, (_, i) => stay({ price: 100 + i })),
  );
  locationIds = (await listLocations(database.db)).map((l) => l.id);
  modelId = (
    await registerModel(database.db, {
      name: 'rollups',
      sha256: 'cd'.repeat(32),
      artifactPath: 'test/model.onnx',
      onnx: new Uint8Array([1]),
      manifest: {},
    })
  ).id;
});

afterAll(async () => {
  await database.drop();
});

/** A prediction `hoursAgo` in the past: succeeded (and answered) or left queued. */
async function prediction(hoursAgo: number, outcome: 'chosen' | 'none' | 'queued' | 'silent') {
  const id = randomUUID();
  await createPrediction(database.db, { id, request: enrichedFamilyRequest });
  if (outcome !== 'queued') {
    await claimPredictions(database.db, [id]);
    await completePredictions(database.db, [
      {
        predictionId: id,
        modelId,
        ranking: locationIds.map((locationId) => ({ locationId, score: 0.5 })),
      },
    ]);
    await readPredictionWithRanking(database.db, id, 10);
    if (outcome !== 'silent') {
      await recordFeedback(database.db, id, outcome === 'chosen' ? locationIds[0]! : null);
    }
  }
  const at = new Date(Date.now() - hoursAgo * HOUR);
  await database.pool.query(
    `UPDATE predictions SET created_at = $2, completed_at = CASE WHEN completed_at IS NULL THEN NULL ELSE $2::timestamptz + interval '1 second' END WHERE id = $1`,
    [id, at],
  );
  await database.pool.query(
    `UPDATE feedback SET created_at = $2::timestamptz + interval '2 seconds' WHERE prediction_id = $1`,
    [id, at],
  );
}

/** The counts as a plain scan of the tables gives them. */
async function scanned(since: Date) {
  const { rows } = await database.pool.query<{
    predictions: number;
    feedback: number;
    chosen: number;
    none: number;
  }>(
    `SELECT (SELECT count(*)::int FROM predictions
              WHERE model_id = $1 AND status = 'succeeded' AND completed_at >= $2) AS predictions,
            count(*)::int AS feedback,
            (count(*) FILTER (WHERE outcome = 'chosen'))::int AS chosen,
            (count(*) FILTER (WHERE outcome = 'none'))::int AS none
     FROM feedback WHERE model_id = $1 AND created_at >= $2`,
    [modelId, since],
  );
  return rows[0];
}

async function stored(): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM predictions',
  );
  return rows[0]!.n;
}

const windows = () =>
  [0.25, 1, 1.5, 3, 24.7, 30 * 24].map((hours) => new Date(Date.now() - hours * HOUR));

async function expectCountsMatch(): Promise<void> {
  for (const since of windows()) {
    expect(await modelQuality(database.db, modelId, since)).toEqual(await scanned(since));
  }
  expect(await modelQuality(database.db, modelId, null)).toEqual(await scanned(new Date(0)));
  expect(await countPredictions(database.db)).toBe(await stored());
}

describe('hourly rollups', () => {
  it('give the counts of a plain scan, for windows that start inside or between hours', async () => {
    const hoursAgo = [0.1, 0.5, 1.2, 1.2, 2.5, 5, 23, 26, 50, 24 * 29];
    for (const [i, h] of hoursAgo.entries()) {
      await prediction(h, (['chosen', 'none', 'queued', 'silent'] as const)[i % 4]!);
    }
    await expectCountsMatch();
    const { rows } = await database.pool.query<{ until: Date; hours: number }>(
      `SELECT materialized_until AS until, (SELECT count(*)::int FROM model_hourly_quality) AS hours
       FROM rollup_state`,
    );
    // Every hour that closed more than 5 minutes ago is rolled up; the rest is counted live.
    expect(rows[0]!.until.getTime()).toBeGreaterThan(Date.now() - 2 * HOUR);
    expect(rows[0]!.hours).toBeGreaterThan(3);
  });

  it('count new rows live, and rows loaded into past hours after a reset', async () => {
    await prediction(0, 'chosen');
    await prediction(0.05, 'none');
    await expectCountsMatch();
    // A bulk load into rolled-up hours: counted again once the rollups are reset.
    await prediction(10, 'chosen');
    expect(await countPredictions(database.db)).toBe((await stored()) - 1);
    await database.pool.query(RESET_ROLLUPS_SQL);
    await expectCountsMatch();
  });
});
