// Hourly rollups of the append-only history, so that the operator's counts (a model's online
// quality over a window, the number of stored predictions) read a few hundred small rows plus the
// last hour or so, however large the tables grow. Closed hours are materialized on demand (see
// rollup.repository.ts); nothing on the hot path writes here.
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, primaryKey, smallint, uuid } from 'drizzle-orm/pg-core';

import { timestampTz } from './columns';
import { models } from './model.schema';

/** Predictions created in each hour (UTC), every status. */
export const predictionHourlyCounts = pgTable('prediction_hourly_counts', {
  hour: timestampTz('hour').primaryKey(),
  predictions: integer('predictions').notNull(),
});

/** Per model and hour (UTC): predictions it completed succeeded, and feedback on its rankings. */
export const modelHourlyQuality = pgTable(
  'model_hourly_quality',
  {
    model_id: uuid('model_id')
      .notNull()
      .references(() => models.id),
    hour: timestampTz('hour').notNull(),
    /** Succeeded predictions by completed_at. */
    succeeded: integer('succeeded').notNull().default(0),
    /** Feedback by its created_at, and its outcomes. */
    feedback: integer('feedback').notNull().default(0),
    chosen: integer('chosen').notNull().default(0),
    none: integer('none').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.model_id, t.hour] })],
);

/** One row: every hour before materialized_until is in the rollups; later rows are counted live. */
export const rollupState = pgTable(
  'rollup_state',
  {
    id: smallint('id').primaryKey().default(1),
    materialized_until: timestampTz('materialized_until').notNull(),
  },
  (t) => [check('rollup_state_one_row', sql`${t.id} = 1`)],
);
