// Rollouts: the online trial of a candidate (shadow or canary) with its policy, and every
// decision the platform (or an operator) took about it, with the figures it was taken on. At
// most one rollout runs at a time.
import { ROLLOUT_DECISIONS, ROLLOUT_MODES, ROLLOUT_STATUSES } from '@predictq/domain';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  index,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { createdAt, timestampTz } from './columns';
import { models } from './model.schema';

export const rolloutMode = pgEnum('rollout_mode', ROLLOUT_MODES);
export const rolloutStatus = pgEnum('rollout_status', ROLLOUT_STATUSES);
export const rolloutDecision = pgEnum('rollout_decision', ROLLOUT_DECISIONS);

export const rollouts = pgTable(
  'rollouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    model_id: uuid('model_id')
      .notNull()
      .references(() => models.id),
    /** The active model when it started: what the candidate is compared with. */
    baseline_model_id: uuid('baseline_model_id')
      .notNull()
      .references(() => models.id),
    mode: rolloutMode('mode').notNull(),
    status: rolloutStatus('status').notNull().default('running'),
    /** canary: share of new predictions; shadow: share of requests also scored. */
    share: real('share').notNull(),
    /** The policy as started (thresholds, test level), defaults filled in. */
    policy: jsonb('policy').notNull(),
    /** The figures of the latest check, while it runs. */
    last_check: jsonb('last_check'),
    checked_at: timestampTz('checked_at'),
    created_at: createdAt(),
    ended_at: timestampTz('ended_at'),
  },
  (t) => [
    uniqueIndex('rollouts_one_running_idx')
      .on(t.status)
      .where(sql`${t.status} = 'running'`),
    index('rollouts_model_created_idx').on(t.model_id, t.created_at),
  ],
);

export const rolloutDecisions = pgTable(
  'rollout_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    rollout_id: uuid('rollout_id')
      .notNull()
      .references(() => rollouts.id, { onDelete: 'cascade' }),
    decision: rolloutDecision('decision').notNull(),
    reason: text('reason').notNull(),
    /** The figures it was taken on (acceptance per arm, the test's evidence, guards). */
    figures: jsonb('figures'),
    created_at: createdAt(),
  },
  (t) => [index('rollout_decisions_rollout_idx').on(t.rollout_id, t.id)],
);

export type RolloutRow = typeof rollouts.$inferSelect;
export type NewRolloutRow = typeof rollouts.$inferInsert;
export type RolloutDecisionRow = typeof rolloutDecisions.$inferSelect;
