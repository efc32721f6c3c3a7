// The ranked stays of a prediction (its top K). Which of them were shown is the prediction's
// shown_rank; their labels follow from the feedback (see labelledStays).
import {
  index,
  integer,
  pgTable,
  primaryKey,
  real,
  smallint,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { locations } from './location.schema';
import { predictions } from './prediction.schema';

export const rankings = pgTable(
  'rankings',
  {
    prediction_id: uuid('prediction_id')
      .notNull()
      .references(() => predictions.id, { onDelete: 'cascade' }),
    rank: smallint('rank').notNull(),
    location_id: integer('location_id')
      .notNull()
      .references(() => locations.id),
    score: real('score').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.prediction_id, t.rank] }),
    uniqueIndex('rankings_prediction_location_key').on(t.prediction_id, t.location_id),
    index('rankings_location_id_idx').on(t.location_id),
  ],
);

export type RankingRow = typeof rankings.$inferSelect;
export type NewRankingRow = typeof rankings.$inferInsert;
