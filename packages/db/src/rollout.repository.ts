// Rollouts as stored: the running one, each model's history with its decisions, and the figures
// a check reads (per arm online, and the shadow comparison). The rules of what changes when live
// in packages/rollout (rollout-lifecycle.ts), the one owner of a rollout's state.
import type { ModelStatus, RolloutDecision, RolloutStatus } from '@predictq/domain';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';

import type { Queryable } from './client';
import {
  models,
  type NewRolloutRow,
  rolloutDecisions,
  shadowRankings,
  type RolloutDecisionRow,
  type RolloutRow,
  rollouts,
} from './schema';

/**
 * The advisory lock every change of a rollout holds (pg_advisory_xact_lock): the decision loop
 * (try: the worker that gets it decides, the others skip the round), and the operator's start
 * and manual activation (wait). So exactly one process decides at a time.
 */
export const ROLLOUT_LOCK_KEY = 0x70_72_6f_6c; // 'prol'

/** Takes the rollout lock for the transaction; false when another process holds it (try). */
export async function lockRollouts(tx: Queryable, wait: boolean): Promise<boolean> {
  if (wait) {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROLLOUT_LOCK_KEY})`);
    return true;
  }
  const result = await tx.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(${ROLLOUT_LOCK_KEY}) as locked`,
  );
  return result.rows[0]?.locked === true;
}

export async function getRunningRollout(db: Queryable): Promise<RolloutRow | undefined> {
  const [row] = await db.select().from(rollouts).where(eq(rollouts.status, 'running'));
  return row;
}

export async function insertRollout(db: Queryable, rollout: NewRolloutRow): Promise<RolloutRow> {
  const [row] = await db.insert(rollouts).values(rollout).returning();
  if (!row) throw new Error('rollout insert returned nothing');
  return row;
}

export async function recordRolloutDecision(
  db: Queryable,
  rolloutId: string,
  decision: RolloutDecision,
  reason: string,
  figures: unknown,
): Promise<void> {
  await db
    .insert(rolloutDecisions)
    .values({ rollout_id: rolloutId, decision, reason, figures: figures ?? null });
}

/** Ends a running rollout in `status`; false when it was not running any more. */
export async function endRollout(
  db: Queryable,
  id: string,
  status: RolloutStatus,
): Promise<boolean> {
  const rows = await db
    .update(rollouts)
    .set({ status, ended_at: sql`now()` })
    .where(and(eq(rollouts.id, id), eq(rollouts.status, 'running')))
    .returning({ id: rollouts.id });
  return rows.length > 0;
}

export async function recordRolloutCheck(db: Queryable, id: string, figures: unknown) {
  await db
    .update(rollouts)
    .set({ last_check: figures, checked_at: sql`now()` })
    .where(eq(rollouts.id, id));
}

/** Sets a model's registry status and weight (a rollout's candidate entering or leaving it). */
export async function setModelRolloutState(
  db: Queryable,
  modelId: string,
  status: ModelStatus,
  trafficWeight: number,
) {
  await db
    .update(models)
    .set({ status, traffic_weight: trafficWeight })
    .where(eq(models.id, modelId));
}

/** Clears every traffic weight but the active model's (which has none): canaries end. */
export async function clearTrafficWeights(db: Queryable) {
  await db
    .update(models)
    .set({ traffic_weight: 0 })
    .where(sql`${models.traffic_weight} > 0`);
}

export type RolloutWithDecisions = RolloutRow & {
  model_status: ModelStatus;
  decisions: RolloutDecisionRow[];
};

/** A model's rollouts, newest first, each with its decisions in order. */
export async function listRollouts(
  db: Queryable,
  modelId: string,
): Promise<RolloutWithDecisions[]> {
  const rows = await db
    .select({ rollout: rollouts, model_status: models.status })
    .from(rollouts)
    .innerJoin(models, eq(models.id, rollouts.model_id))
    .where(eq(rollouts.model_id, modelId))
    .orderBy(desc(rollouts.created_at));
  if (rows.length === 0) return [];
  const decisions = await db
    .select()
    .from(rolloutDecisions)
    .where(
      inArray(
        rolloutDecisions.rollout_id,
        rows.map((r) => r.rollout.id),
      ),
    )
    .orderBy(rolloutDecisions.id);
  return rows.map(({ rollout, model_status }) => ({
    ...rollout,
    model_status,
    decisions: decisions.filter((d) => d.rollout_id === rollout.id),
  }));
}

/** One arm of a canary since `since`: its predictions, failures, latency and online acceptance. */
export type ArmFigures = {
  predictions: number;
  failed: number;
  /** p95 of created -> completed of its succeeded predictions (what its clients waited). */
  p95_latency_ms: number | null;
  feedback: number;
  chosen: number;
};

export async function armFigures(db: Queryable, modelId: string, since: Date): Promise<ArmFigures> {
  // Both on an index: predictions (model_id, completed_at), feedback (model_id, created_at). Only
  // predictions made since the start count, so that the arms are drawn from the same traffic.
  const result = await db.execute<ArmFigures>(sql`
    with p as (
      select
        (count(*) filter (where status = 'succeeded'))::int as predictions,
        (count(*) filter (where status = 'failed'))::int as failed,
        (percentile_cont(0.95) within group (
          order by extract(epoch from completed_at - created_at) * 1000
        ) filter (where status = 'succeeded'))::float8 as p95_latency_ms
      from predictions
      where model_id = ${modelId} and completed_at >= ${since} and created_at >= ${since}
    ), f as (
      select count(*)::int as feedback,
        (count(*) filter (where f.outcome = 'chosen'))::int as chosen
      from feedback f join predictions p on p.id = f.prediction_id
      where f.model_id = ${modelId} and f.created_at >= ${since} and p.created_at >= ${since}
    )
    select p.*, f.* from p, f`);
  return result.rows[0] as ArmFigures;
}

/** How a shadow model's rankings compare with the served ones, over the predictions it scored. */
export type ShadowFigures = {
  compared: number;
  /** Mean share of the served top K that the shadow top K also holds. */
  overlap_at_k: number | null;
  /** Share of predictions whose best stay is the same. */
  top1_agreement: number | null;
  /** Mean of min(1, sum of the top K scores): each model's own estimate of acceptance. */
  predicted_candidate: number | null;
  predicted_active: number | null;
  /** Feedback that chose a stay, and the share whose chosen stay the shadow top K holds too. */
  chosen: number;
  kept_chosen: number | null;
  /** Feedback that chose none, and the mean share of its rejected stays the shadow drops. */
  none: number;
  replaced_rejected: number | null;
};

export async function shadowFigures(
  db: Queryable,
  modelId: string,
  since: Date,
): Promise<ShadowFigures> {
  const result = await db.execute<ShadowFigures>(sql`
    with s as (
      select prediction_id, array_agg(location_id order by rank) as locs,
        least(sum(score), 1)::float8 as predicted, min(location_id) filter (where rank = 1) as top1
      from shadow_rankings
      where model_id = ${modelId} and created_at >= ${since}
      group by prediction_id
    ), pair as (
      select s.*, served.locs as served_locs, served.predicted as served_predicted,
        served.top1 as served_top1
      from s cross join lateral (
        select array_agg(location_id order by rank) as locs,
          least(sum(score), 1)::float8 as predicted,
          min(location_id) filter (where rank = 1) as top1
        from rankings r where r.prediction_id = s.prediction_id
      ) served
      where served.locs is not null
    ), m as (
      select pair.*, f.outcome, f.location_id as chosen_location,
        cardinality(array(select unnest(locs) intersect select unnest(served_locs)))::float8
          / greatest(cardinality(served_locs), 1) as overlap
      from pair left join feedback f on f.prediction_id = pair.prediction_id
    )
    select count(*)::int as compared,
      avg(overlap)::float8 as overlap_at_k,
      avg((top1 = served_top1)::int)::float8 as top1_agreement,
      avg(predicted)::float8 as predicted_candidate,
      avg(served_predicted)::float8 as predicted_active,
      (count(*) filter (where outcome = 'chosen'))::int as chosen,
      (avg((chosen_location = any(locs))::int) filter (where outcome = 'chosen'))::float8 as kept_chosen,
      (count(*) filter (where outcome = 'none'))::int as none,
      (avg(1 - overlap) filter (where outcome = 'none'))::float8 as replaced_rejected
    from m`);
  return result.rows[0] as ShadowFigures;
}

/** Stores a shadow model's top K of predictions (a retried job writes nothing twice). */
export async function insertShadowRankings(
  db: Queryable,
  rows: readonly {
    predictionId: string;
    modelId: string;
    stays: { locationId: number; score: number }[];
  }[],
): Promise<void> {
  const values = rows.flatMap((r) =>
    r.stays.map((stay, i) => ({
      prediction_id: r.predictionId,
      model_id: r.modelId,
      rank: i + 1,
      location_id: stay.locationId,
      score: stay.score,
    })),
  );
  if (values.length === 0) return;
  await db.insert(shadowRankings).values(values).onConflictDoNothing();
}
