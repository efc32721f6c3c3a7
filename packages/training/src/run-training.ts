// One training run, end to end: the most recent labelled feedback (recency-weighted), a model
// trained on it (in a thread), the candidate and the active model evaluated on the same holdout
// per segment, the candidate exported under MODEL_DIR and registered with that evaluation and its
// lineage, and activated when the promotion rule accepts it. Too few labels: the run fails and
// nothing changes.
import {
  type Db,
  finishTrainingRun,
  isDatabaseUnavailable,
  type LabelledFeedbackRow,
  loadLabelledRows,
  recordLineage,
  registerModel,
  startTrainingRun,
  updateTrainingProgress,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import { type TrainingExample, writeModelArtifacts } from '@predictq/model';
import { activateSuperseding } from '@predictq/rollout';

import { compareOnHoldout } from './holdout-comparison';
import { decidePromotion } from './promotion-rule';
import { recencyWeights } from './recency-weights';
import { type Train, trainInThread } from './train-in-thread';
import { resolveParams, type TrainingDefaults } from './training-params';
import {
  type ModelEvaluation,
  type ServingOptions,
  type TrainingParams,
  type TrainingResult,
  trainingResultSchema,
} from './training-result.schema';

export interface TrainingDeps {
  db: Db;
  modelDir: string;
  logger: Logger;
  defaults: TrainingDefaults;
  /** How the worker serves: held-out requests are re-ranked the same way. */
  serving: ServingOptions;
  train?: Train;
  /** Reports progress (also to the job); called once per epoch. */
  onProgress?: (progress: TrainingProgress) => void;
}

export interface TrainingProgress {
  epoch: number;
  epochs: number;
  loss: number;
}

/** The run cannot train on what there is; the message says why. Nothing was changed. */
export class TrainingRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingRefused';
  }
}

function checkDataset(rows: readonly LabelledFeedbackRow[], params: TrainingParams): void {
  const positives = rows.filter((r) => r.label === 1).length;
  if (rows.length < params.minRows) {
    throw new TrainingRefused(
      `too few labelled rows: ${rows.length} shown stays with feedback, at least ${params.minRows} needed`,
    );
  }
  if (positives === 0 || positives === rows.length) {
    throw new TrainingRefused(
      `the labelled rows are all ${positives === 0 ? 'negative (no stay was ever chosen)' : 'positive'}: nothing to learn from`,
    );
  }
}

/** Runs training run `runId`; returns undefined when the run had already ended (a duplicate job). */
export async function runTraining(
  deps: TrainingDeps,
  runId: string,
): Promise<TrainingResult | undefined> {
  const { db, logger } = deps;
  const run = await startTrainingRun(db, runId);
  if (!run) return undefined;
  try {
    const params = resolveParams(run.params, deps.defaults);
    const rows = await loadLabelledRows(db, params.maxRows);
    checkDataset(rows, params);
    const weights = recencyWeights(
      rows.map((r) => r.feedback_at),
      params.recencyHalfLifeHours,
    );
    const weighted = params.recencyHalfLifeHours > 0;
    const examples: TrainingExample[] = rows.map((r, i) => ({
      request: r.request,
      location: r.location,
      label: r.label,
      group: r.prediction_id,
      ...(weighted ? { weight: weights[i] } : {}),
    }));
    const trained = await (deps.train ?? trainInThread)(
      {
        examples,
        seed: params.seed,
        name: `trained-${runId.slice(0, 8)}`,
        holdoutFraction: params.holdoutFraction,
        trainer: { epochs: params.epochs },
      },
      (report) => {
        const progress = { epoch: report.epoch, epochs: params.epochs, loss: report.loss };
        deps.onProgress?.(progress);
        void updateTrainingProgress(db, runId, progress).catch((error: unknown) =>
          logger.warn('training progress not stored', { error: errorMessage(error) }),
        );
      },
    );

    const { active, evaluation } = await compareOnHoldout({
      db,
      rows,
      examples,
      weights,
      split: trained.split,
      candidate: trained,
      serving: deps.serving,
      minSegmentPredictions: params.promotion.minSegmentPredictions,
    });
    const decision = decidePromotion(evaluation, params.promotion);
    const modelEvaluation: ModelEvaluation = {
      active: active && { modelId: active.modelId, version: active.version },
      recencyHalfLifeHours: params.recencyHalfLifeHours,
      serving: deps.serving,
      thresholds: params.promotion,
      ...evaluation,
      decision,
    };

    const artifactPath = await writeModelArtifacts(
      deps.modelDir,
      trained.manifest.name,
      trained.onnx,
      trained.manifest,
    );
    const model = await registerModel(db, {
      name: trained.manifest.name,
      sha256: trained.manifest.sha256,
      artifactPath,
      onnx: trained.onnx,
      manifest: trained.manifest,
      metrics: { ...trained.metrics, evaluation: modelEvaluation },
      source: 'training',
      trainingRunId: runId,
    });
    const result: TrainingResult = {
      params,
      dataset: {
        rows: rows.length,
        predictions: new Set(rows.map((r) => r.prediction_id)).size,
        positives: rows.filter((r) => r.label === 1).length,
        trainRows: trained.split.train.length,
        holdoutRows: trained.split.holdout.length,
      },
      candidate: {
        modelId: model.id,
        version: model.version,
        sha256: model.sha256,
        newlyRegistered: model.created,
        metrics: trained.metrics.holdout,
      },
      active,
      promoted: decision.promoted,
      reason: decision.reason,
      evaluation: modelEvaluation,
    };
    // Checked before anything else changes: what is stored must read back typed.
    trainingResultSchema.parse(result);
    const lineage = (indices: number[], split: 'train' | 'holdout') =>
      indices.map((i) => {
        const row = rows[i] as LabelledFeedbackRow;
        return {
          predictionId: row.prediction_id,
          locationId: row.location_id,
          label: row.label,
          split,
        };
      });
    await recordLineage(db, runId, [
      ...lineage(trained.split.train, 'train'),
      ...lineage(trained.split.holdout, 'holdout'),
    ]);
    // With activate false the candidate waits for a rollout (POST /v1/models/{id}/rollout): the
    // rule's verdict says whether it may be tried, online evidence whether it is promoted.
    if (decision.promoted && params.activate !== false && model.status !== 'active') {
      await activateSuperseding(db, model.id, `training run ${runId}`);
    }

    await finishTrainingRun(db, runId, { status: 'succeeded', result, modelId: model.id });
    logger.info('training run succeeded', {
      trainingRunId: runId,
      modelId: model.id,
      version: model.version,
      promoted: decision.promoted,
      reason: decision.reason,
    });
    return result;
  } catch (error) {
    // An outage is not the run's fault: it stays running, and its job is taken again later.
    if (!isDatabaseUnavailable(error)) {
      await finishTrainingRun(db, runId, { status: 'failed', error: errorMessage(error) });
    }
    throw error;
  }
}
