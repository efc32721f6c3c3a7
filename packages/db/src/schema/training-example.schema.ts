// The lineage of training runs: every (prediction, stay, label) row a run trained or was
// evaluated on, so a model can be traced back to the feedback it learned from.
import { TRAINING_SPLITS } from '@predictq/domain';
import { index, integer, pgEnum, pgTable, primaryKey, smallint, uuid } from 'drizzle-orm/pg-core';

import { predictions } from './prediction.schema';
import { trainingRuns } from './training.schema';

export const trainingSplit = pgEnum('training_split', TRAINING_SPLITS);

export const trainingExamples = pgTable(
  'training_examples',
  {
    training_run_id: uuid('training_run_id')
      .notNull()
      .references(() => trainingRuns.id, { onDelete: 'cascade' }),
    prediction_id: uuid('prediction_id')
      .notNull()
      .references(() => predictions.id, { onDelete: 'cascade' }),
    location_id: integer('location_id').notNull(),
    label: smallint('label').notNull(),
    split: trainingSplit('split').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.training_run_id, t.prediction_id, t.location_id] }),
    index('training_examples_prediction_idx').on(t.prediction_id),
  ],
);

export type TrainingExampleRow = typeof trainingExamples.$inferSelect;
