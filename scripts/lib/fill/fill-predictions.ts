// Grows a database to N stored predictions quickly, with SQL generating the rows inside
// PostgreSQL (INSERT ... SELECT over generate_series, in chunks of one transaction each): no row
// crosses the network. The rows follow the schema: requests drawn from the simulation's pool,
// creation times spread over the past days, statuses mostly succeeded, a ranking of 10 distinct
// stays of the catalogue with falling scores for each succeeded one, shown and answered shares
// like the traffic generator's users, the chosen rank skewed to the top.
// Foreign keys: as in any bulk load, the per-row checks are set aside while loading (a superuser
// session as a replica, which skips the FK triggers; they cost more than the inserts), and every
// foreign key of the filled tables is then checked in one pass over the whole table, as
// ALTER TABLE ... VALIDATE CONSTRAINT would; a violation fails the fill. ANALYZE at the end.
import { quoteIdentifier, RESET_ROLLUPS_SQL } from '@predictq/db';
import type { Pool, PoolClient } from 'pg';

import { requestPool } from './request-pool';

export interface FillOptions {
  predictions: number;
  /** Creation times spread uniformly over this many past days. */
  days: number;
  seed: number;
  chunkSize?: number;
  onProgress?: (done: number) => void;
}

export interface FillResult {
  predictions: number;
  rankings: number;
  feedback: number;
  seconds: number;
}

/** Shares of the generated rows (failed among all; shown among succeeded; ...). */
export const FILL_SHARES = { failed: 0.005, shown: 0.97, answered: 0.8, chosen: 0.85 } as const;
const POOL_SIZE = 5_000;
const RANKING_SIZE = 10;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Strides that visit RANKING_SIZE distinct catalogue positions: (start + k * stride) mod n is
 * distinct for k < n when the stride is coprime with n.
 */
export function coprimeStrides(n: number): number[] {
  return Array.from({ length: n - 1 }, (_, i) => i + 1).filter((s) => gcd(s, n) === 1);
}

const REQUEST_COLUMNS = `profile text, people_num smallint, people_age smallint[],
  children_num smallint, budget double precision, nights smallint, lead_days int, pool boolean,
  spa boolean, pet_friendly boolean, lake boolean, mountain boolean, sport boolean,
  age_avg double precision, age_std double precision, age_min smallint, age_max smallint`;

// $1 chunk size, $2 days, $3 catalogue size, $4 strides, $5..$8 the shares, $9 predictions
// made before this chunk, $10 predictions in all. Creation times rise through the fill, and the
// ids are time-ordered (the UUIDv7 layout: 48 bits of milliseconds, then random bits), so the
// indexes grow at their right edge, as an append-only history does; the API's own ids are v4.
const CHUNK = `
  CREATE TEMP TABLE fill_chunk ON COMMIT DROP AS
  SELECT (lpad(to_hex(floor(extract(epoch FROM s.created_at) * 1000)::bigint), 12, '0') || '7' ||
          substr(md5(random()::text), 1, 3) || to_hex(8 + floor(random() * 4)::int) ||
          substr(md5(random()::text), 1, 15))::uuid AS id,
         r.*, s.*,
         s.created_at + (2 + random() * 30) * interval '1 millisecond' AS started_at
  FROM (
    SELECT g, floor(random() * ${POOL_SIZE})::int AS req,
           now() - $2::int * interval '1 day' * (1 - ($9::int + g - random()) / $10::int) AS created_at,
           (random() >= $5::float8) AS succeeded,
           (random() < $6::float8) AS shown,
           (random() < $7::float8) AS answered,
           (random() < $8::float8) AS chose,
           -- Ranks 1, 2, 3 ... chosen in falling proportions (a geometric draw, capped at 10).
           least(${RANKING_SIZE}, 1 + floor(-ln(1 - random()) * 2.5))::int AS chosen_rank,
           floor(random() * $3::int)::int AS loc_start,
           ($4::int[])[1 + floor(random() * array_length($4::int[], 1))::int] AS loc_stride,
           0.35 + 0.6 * random() AS top_score
    FROM generate_series(1, $1::int) g
  ) s JOIN fill_requests r ON r.idx = s.req
  ORDER BY s.g`;

// $1 the active model, $2 catalogue ids.
const PREDICTIONS = `
  INSERT INTO predictions (id, status, people_num, people_age, children_num, budget, nights,
    time_arrival, pool, spa, pet_friendly, lake, mountain, sport, age_avg, age_std, age_min,
    age_max, profile, model_id, shown_rank, shown_at, error, attempts, created_at, started_at,
    completed_at)
  SELECT id, (CASE WHEN succeeded THEN 'succeeded' ELSE 'failed' END)::prediction_status,
         people_num, people_age, children_num, budget, nights,
         (created_at + lead_days * interval '1 day')::date, pool, spa, pet_friendly, lake,
         mountain, sport, age_avg, age_std, age_min, age_max, profile,
         CASE WHEN succeeded THEN $1::uuid END,
         CASE WHEN succeeded AND shown THEN ${RANKING_SIZE} ELSE 0 END,
         CASE WHEN succeeded AND shown THEN completed_at + interval '200 milliseconds' END,
         CASE WHEN succeeded THEN NULL ELSE 'scoring failed: the model could not be loaded' END,
         CASE WHEN succeeded THEN 1 ELSE 3 END, created_at, started_at, completed_at
  FROM (SELECT *, started_at + (5 + random() * 40) * interval '1 millisecond' AS completed_at
        FROM fill_chunk) c
  ORDER BY g`;

const RANKINGS = `
  INSERT INTO rankings (prediction_id, rank, location_id, score)
  SELECT c.id, k, ($1::int[])[1 + (c.loc_start + (k - 1) * c.loc_stride) % array_length($1::int[], 1)],
         c.top_score * power(0.88, k - 1)
  FROM fill_chunk c CROSS JOIN generate_series(1, ${RANKING_SIZE}) k
  WHERE c.succeeded
  ORDER BY c.g, k`;

const FEEDBACK = `
  INSERT INTO feedback (prediction_id, outcome, location_id, chosen_rank, model_id, created_at)
  SELECT p.id, (CASE WHEN c.chose THEN 'chosen' ELSE 'none' END)::feedback_outcome,
         CASE WHEN c.chose THEN r.location_id END, CASE WHEN c.chose THEN c.chosen_rank END,
         p.model_id, p.shown_at + (2 + random() * 60) * interval '1 second'
  FROM fill_chunk c
  JOIN predictions p ON p.id = c.id
  JOIN rankings r ON r.prediction_id = c.id AND r.rank = c.chosen_rank
  WHERE c.succeeded AND c.shown AND c.answered
  ORDER BY c.g`;

const FILLED_TABLES = ['predictions', 'rankings', 'feedback'];

// Every foreign key of these tables, with its columns in order, from the catalogue.
const FOREIGN_KEYS = `
  SELECT c.conname AS name, c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
         array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.i)::text[] AS child_columns,
         array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.i)::text[] AS parent_columns
  FROM pg_constraint c
  WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[])`;

interface ForeignKey {
  name: string;
  child: string;
  parent: string;
  child_columns: string[];
  parent_columns: string[];
}

/** Throws when a row of `tables` references a row that does not exist. */
export async function checkForeignKeys(
  client: PoolClient,
  tables: readonly string[],
): Promise<void> {
  const { rows } = await client.query<ForeignKey>(FOREIGN_KEYS, [tables]);
  for (const fk of rows) {
    const present = fk.child_columns
      .map((c) => `x.${quoteIdentifier(c)} IS NOT NULL`)
      .join(' AND ');
    const joined = fk.child_columns
      .map((c, i) => `y.${quoteIdentifier(fk.parent_columns[i]!)} = x.${quoteIdentifier(c)}`)
      .join(' AND ');
    const { rows: found } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${fk.child} x WHERE ${present}
       AND NOT EXISTS (SELECT 1 FROM ${fk.parent} y WHERE ${joined})`,
    );
    if (found[0]!.n > 0) throw new Error(`${found[0]!.n} rows of ${fk.child} break ${fk.name}`);
  }
}

async function catalogue(client: PoolClient): Promise<{ locations: number[]; modelId: string }> {
  const { rows: locations } = await client.query<{ id: number }>(
    'SELECT id FROM locations ORDER BY id',
  );
  const { rows: models } = await client.query<{ id: string }>(
    "SELECT id FROM models WHERE status = 'active'",
  );
  if (locations.length < RANKING_SIZE || !models[0]) {
    throw new Error(
      `the database needs a catalogue of ${RANKING_SIZE} stays or more and an active model ` +
        `(found ${locations.length} stays, ${models.length} active models): start the platform once first`,
    );
  }
  return { locations: locations.map((l) => l.id), modelId: models[0].id };
}

async function loadRequestPool(client: PoolClient, seed: number): Promise<void> {
  await client.query('DROP TABLE IF EXISTS fill_requests');
  await client.query(`CREATE TEMP TABLE fill_requests (idx int PRIMARY KEY, ${REQUEST_COLUMNS})`);
  await client.query(
    'INSERT INTO fill_requests SELECT * FROM json_populate_recordset(NULL::fill_requests, $1)',
    [JSON.stringify(await requestPool(POOL_SIZE, seed))],
  );
}

/** Adds `options.predictions` predictions with their rankings and feedback. */
export async function fillPredictions(pool: Pool, options: FillOptions): Promise<FillResult> {
  const started = performance.now();
  const chunkSize = options.chunkSize ?? 20_000;
  const client = await pool.connect();
  const result = { predictions: 0, rankings: 0, feedback: 0 };
  try {
    // Every row can be generated again: no need to wait for the disk at each commit.
    await client.query('SET synchronous_commit = off');
    // Without superuser rights the per-row checks stay on: slower, as correct.
    await client.query('SET session_replication_role = replica').catch(() => undefined);
    // random() repeats its draws for the same seed (the uuids differ).
    await client.query('SELECT setseed($1)', [(((options.seed % 1000) + 1000) % 1000) / 1000]);
    const { locations, modelId } = await catalogue(client);
    await loadRequestPool(client, options.seed);
    const strides = coprimeStrides(locations.length);
    const { failed, shown, answered, chosen } = FILL_SHARES;
    for (let done = 0; done < options.predictions;) {
      const size = Math.min(chunkSize, options.predictions - done);
      await client.query('BEGIN');
      await client.query(CHUNK, [
        size,
        options.days,
        locations.length,
        strides,
        failed,
        shown,
        answered,
        chosen,
        done,
        options.predictions,
      ]);
      result.predictions += (await client.query(PREDICTIONS, [modelId])).rowCount ?? 0;
      result.rankings += (await client.query(RANKINGS, [locations])).rowCount ?? 0;
      result.feedback += (await client.query(FEEDBACK)).rowCount ?? 0;
      await client.query('COMMIT');
      done += size;
      options.onProgress?.(done);
    }
    await client.query('RESET session_replication_role');
    await checkForeignKeys(client, FILLED_TABLES);
    await client.query(`ANALYZE ${FILLED_TABLES.join(', ')}`);
    // The rows went into past hours: the operator's counts roll them up again on their next read.
    await client.query(RESET_ROLLUPS_SQL);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return { ...result, seconds: (performance.now() - started) / 1000 };
}
