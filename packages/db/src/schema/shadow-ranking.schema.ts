// What a shadow model would have shown: its top K for a sampled prediction, next to the served
// ranking (rankings). Its own table, because the rankings' key holds one ranking a prediction.
import { index, integer, pgTable, primaryKey, real, smallint, uuid } from 'drizzle-orm/pg-core';

import { createdAt } from './columns';
import { locations } from './location.schema';
import { models } from './model.schema';
import { predictions } from './prediction.schema';

export const shadowRankings = pgTable(
  'shadow_rankings',
  {
    prediction_id: uuid('prediction_id')
      .notNull()
      .references(() => predictions.id, { onDelete: 'cascade' }),
    model_id: uuid('model_id')
      .notNull()
      .references(() => models.id),
    rank: smallint('rank').notNull(),
    location_id: integer('location_id')
      .notNull()
      .references(() => locations.id),
    score: real('score').notNull(),
    created_at: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.prediction_id, t.model_id, t.rank] }),
    // The shadow report reads one model's rankings since its rollout started.
    index('shadow_rankings_model_created_idx').on(t.model_id, t.created_at),
  ],
);

export type ShadowRankingRow = typeof shadowRankings.$inferSelect;
