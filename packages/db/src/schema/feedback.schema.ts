// What the client reported after seeing a ranking: the stay the group chose, or none. One per
// prediction. model_id is copied from the prediction so quality per model needs no join.
import { FEEDBACK_OUTCOMES } from '@predictq/domain';
import { index, integer, pgEnum, pgTable, uuid } from 'drizzle-orm/pg-core';

import { createdAt } from './columns';
import { locations } from './location.schema';
import { models } from './model.schema';
import { predictions } from './prediction.schema';

export const feedbackOutcome = pgEnum('feedback_outcome', FEEDBACK_OUTCOMES);

export const feedback = pgTable(
  'feedback',
  {
    prediction_id: uuid('prediction_id')
      .primaryKey()
      .references(() => predictions.id, { onDelete: 'cascade' }),
    outcome: feedbackOutcome('outcome').notNull(),
    location_id: integer('location_id').references(() => locations.id),
    /** Rank of the chosen stay (1 = top), null for none. */
    chosen_rank: integer('chosen_rank'),
    model_id: uuid('model_id').references(() => models.id),
    created_at: createdAt(),
  },
  (t) => [
    index('feedback_created_at_idx').on(t.created_at),
    index('feedback_model_created_idx').on(t.model_id, t.created_at),
  ],
);

export type FeedbackRow = typeof feedback.$inferSelect;
export type NewFeedbackRow = typeof feedback.$inferInsert;
