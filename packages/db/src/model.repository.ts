// The model registry: registration, activation and the assignment workers score with.
import { trafficSplitProblem } from '@predictq/domain';
import { desc, eq, gt, inArray, or, sql } from 'drizzle-orm';

import type { Queryable } from './client';
import { modelQualityCounts } from './rollup.repository';
import { models, type ModelRow } from './schema';

/** Everything about a model but its bytes. */
export type ModelSummary = Omit<ModelRow, 'onnx'>;

const summaryColumns = {
  id: models.id,
  version: models.version,
  name: models.name,
  status: models.status,
  source: models.source,
  training_run_id: models.training_run_id,
  sha256: models.sha256,
  artifact_path: models.artifact_path,
  manifest: models.manifest,
  metrics: models.metrics,
  traffic_weight: models.traffic_weight,
  created_at: models.created_at,
  activated_at: models.activated_at,
};

export interface NewModel {
  name: string;
  sha256: string;
  /** The exported file under MODEL_DIR; null for an upload (its bytes live only here). */
  artifactPath: string | null;
  onnx: Uint8Array;
  manifest: unknown;
  metrics?: unknown;
  source?: ModelRow['source'];
  trainingRunId?: string;
}

/**
 * Registers a model. The same bytes (sha256) registered again return the existing entry instead
 * of a duplicate, with `created` false.
 */
export async function registerModel(
  db: Queryable,
  model: NewModel,
): Promise<ModelSummary & { created: boolean }> {
  const [existing] = await db
    .select(summaryColumns)
    .from(models)
    .where(eq(models.sha256, model.sha256))
    .orderBy(models.version)
    .limit(1);
  if (existing) return { ...existing, created: false };
  const [row] = await db
    .insert(models)
    .values({
      name: model.name,
      sha256: model.sha256,
      artifact_path: model.artifactPath,
      onnx: Buffer.from(model.onnx),
      manifest: model.manifest,
      metrics: model.metrics ?? null,
      source: model.source ?? 'baseline',
      training_run_id: model.trainingRunId ?? null,
    })
    .returning(summaryColumns);
  if (!row) throw new Error('model insert returned nothing');
  return { ...row, created: true };
}

/** Makes `id` the active model (retiring the previous one) and resets every canary weight. */
export async function activateModel(db: Queryable, id: string): Promise<ModelSummary | undefined> {
  return db.transaction(async (tx) => {
    const [exists] = await tx
      .select({ id: models.id })
      .from(models)
      .where(eq(models.id, id))
      .for('update');
    if (!exists) return undefined;
    await tx
      .update(models)
      .set({ status: 'retired' })
      .where(sql`${models.status} = 'active' and ${models.id} <> ${id}`);
    await tx.update(models).set({ traffic_weight: 0 }).where(gt(models.traffic_weight, 0));
    const [row] = await tx
      .update(models)
      .set({ status: 'active', activated_at: sql`coalesce(${models.activated_at}, now())` })
      .where(eq(models.id, id))
      .returning(summaryColumns);
    return row;
  });
}

export async function getActiveModel(db: Queryable): Promise<ModelSummary | undefined> {
  const [row] = await db.select(summaryColumns).from(models).where(eq(models.status, 'active'));
  return row;
}

export async function getModel(db: Queryable, id: string): Promise<ModelSummary | undefined> {
  const [row] = await db.select(summaryColumns).from(models).where(eq(models.id, id));
  return row;
}

export async function listModels(db: Queryable): Promise<ModelSummary[]> {
  return db.select(summaryColumns).from(models).orderBy(desc(models.version));
}

/** The domain's isServing as SQL: the active model, and any other with a share of traffic. */
const serving = or(eq(models.status, 'active'), gt(models.traffic_weight, 0));

/** The models that may score new predictions (isServing), by version. */
export async function servingModels(db: Queryable): Promise<ModelSummary[]> {
  return db.select(summaryColumns).from(models).where(serving).orderBy(models.version);
}

export async function loadModelBytes(db: Queryable, id: string): Promise<Buffer | undefined> {
  const [row] = await db.select({ onnx: models.onnx }).from(models).where(eq(models.id, id));
  return row?.onnx;
}

export class TrafficSplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrafficSplitError';
  }
}

/**
 * Sets the canary split: each listed model (a candidate, or a retired one brought back) gets its
 * weight (a share of new predictions), every other model 0, and the active model the rest.
 * Throws TrafficSplitError when the domain's rules refuse it (trafficSplitProblem).
 */
export async function setTrafficSplit(
  db: Queryable,
  weights: readonly { modelId: string; weight: number }[],
): Promise<ModelSummary[]> {
  return db.transaction(async (tx) => {
    const ids = weights.map((w) => w.modelId);
    const found = ids.length
      ? await tx.select(summaryColumns).from(models).where(inArray(models.id, ids)).for('update')
      : [];
    const problem = trafficSplitProblem(weights, found);
    if (problem) throw new TrafficSplitError(problem);
    await tx.update(models).set({ traffic_weight: 0 }).where(gt(models.traffic_weight, 0));
    for (const { modelId, weight } of weights) {
      await tx.update(models).set({ traffic_weight: weight }).where(eq(models.id, modelId));
    }
    return tx.select(summaryColumns).from(models).where(serving).orderBy(models.version);
  });
}

export type ModelQuality = {
  predictions: number;
  feedback: number;
  chosen: number;
  none: number;
};

/**
 * Online quality of a model since `since` (all time when null): feedback and predictions. Closed
 * hours come from the rollups, so a 30-day window costs the same at a million rows.
 */
export function modelQuality(db: Queryable, id: string, since: Date | null): Promise<ModelQuality> {
  return modelQualityCounts(db, id, since);
}
