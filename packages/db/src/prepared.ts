// The hot paths' statements run as named (server-side prepared) statements on the pool: each
// connection parses and plans them once, and each call is one round trip. Everything else goes
// through drizzle's query builder.
import type { Db } from './client';

export async function runPrepared<R extends object>(
  db: Db,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const result = await db.$client.query<R>({ name, text, values });
  return result.rows;
}

/** Channel on which a commit that ends predictions announces their ids (comma-separated). */
export const PREDICTION_ENDED_CHANNEL = 'predictq_prediction_ended';

/** Channel on which a claim announces the predictions it started (comma-separated ids). */
export const PREDICTION_STARTED_CHANNEL = 'predictq_prediction_started';

/** Predictions' columns for raw statements, with the date as YYYY-MM-DD like drizzle returns it. */
export const PREDICTION_COLUMNS = `id, status, client_id, idempotency_key, request_hash, people_num, people_age,
  children_num, budget, nights, to_char(time_arrival, 'YYYY-MM-DD') AS time_arrival, pool, spa,
  pet_friendly, lake, mountain, sport, age_avg, age_std, age_min, age_max, profile, model_id,
  shown_rank, shown_at, error, attempts, batch_id, batch_row, batch_request_id, created_at,
  started_at, completed_at, webhook, webhook_events_filter, cancel_at`;

export const LOCATION_COLUMNS = `id, town, children, breakfast, lunch, dinner, price, has_pool,
  has_spa, animals, near_lake, near_mountains, has_sport, family_rating, outdoor_rating,
  food_rating, leisure_rating, service_rating, user_score, created_at, updated_at`;
