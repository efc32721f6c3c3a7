// Training runs: what an operator asked for, the progress, and the outcome.
import { TRAINING_STATUSES } from '@predictq/domain';
import { index, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';

import { createdAt, timestampTz } from './columns';

export const trainingStatus = pgEnum('training_status', TRAINING_STATUSES);

export const trainingRuns = pgTable(
  'training_runs',
  {
    id: uuid('id').primaryKey(),
    status: trainingStatus('status').notNull().default('queued'),
    /** The parameters asked for; the effective ones (defaults filled in) are in result. */
    params: jsonb('params').notNull(),
    /** {epoch, epochs, loss} while training. */
    progress: jsonb('progress'),
    /** The outcome: dataset, metrics of the candidate and of the active model, promotion. */
    result: jsonb('result'),
    /** The model it registered (the same bytes registered before are not duplicated). */
    model_id: uuid('model_id'),
    error: text('error'),
    created_at: createdAt(),
    started_at: timestampTz('started_at'),
    completed_at: timestampTz('completed_at'),
  },
  (t) => [index('training_runs_created_at_idx').on(t.created_at)],
);

export type TrainingRunRow = typeof trainingRuns.$inferSelect;
