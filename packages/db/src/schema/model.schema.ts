// The model registry: every model the platform trained or was given, with its artifact, hash,
// manifest and metrics. At most one model is active.
import { MODEL_SOURCES, MODEL_STATUSES } from '@predictq/domain';
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { bytea, createdAt, timestampTz } from './columns';
import { trainingRuns } from './training.schema';

export const modelStatus = pgEnum('model_status', MODEL_STATUSES);

/** How the model came to be. */
export const modelSource = pgEnum('model_source', MODEL_SOURCES);

export const models = pgTable(
  'models',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 1, 2, 3, ... in registration order; what dashboards and people call a model. */
    version: integer('version').notNull().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    status: modelStatus('status').notNull().default('candidate'),
    sha256: text('sha256').notNull(),
    source: modelSource('source').notNull().default('baseline'),
    /** The training run that produced it (lineage), for source = training. */
    training_run_id: uuid('training_run_id').references(() => trainingRuns.id),
    /** The ONNX file, relative to MODEL_DIR, as exported; null for an upload (bytes only). */
    artifact_path: text('artifact_path'),
    /** The ONNX bytes too, so that any worker can load the model without a shared volume. */
    onnx: bytea('onnx').notNull(),
    manifest: jsonb('manifest').notNull(),
    metrics: jsonb('metrics'),
    /** Share of traffic for a canary split; the active model takes the rest. */
    traffic_weight: real('traffic_weight').notNull().default(0),
    created_at: createdAt(),
    activated_at: timestampTz('activated_at'),
  },
  (t) => [
    uniqueIndex('models_version_key').on(t.version),
    index('models_sha256_idx').on(t.sha256),
    uniqueIndex('models_one_active_idx')
      .on(t.status)
      .where(sql`${t.status} = 'active'`),
    index('models_created_at_idx').on(t.created_at),
  ],
);

export type ModelRow = typeof models.$inferSelect;
export type NewModelRow = typeof models.$inferInsert;
