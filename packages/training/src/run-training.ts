// One training run, end to end: the most recent labelled feedback, a model trained on it (in a
// thread), the candidate and the active model evaluated on the same holdout, the candidate
// exported under MODEL_DIR and registered with its metrics and lineage, and promoted when it
// beats the active model by the margin. Too few labels: the run fails and nothing changes.
import {
  activateModel,
  type Db,
  finishTrainingRun,
  getActiveModel,
  isDatabaseUnavailable,
  type LabelledFeedbackRow,
  loadLabelledRows,
  loadModelBytes,
  recordLineage,
  registerModel,
  startTrainingRun,
  updateTrainingProgress,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import {
  evaluateModel,
  type Metrics,
  modelManifestSchema,
  OnnxScorer,
  type TrainingExample,
  writeModelArtifacts,
} from '@predictq/model';

import { type Train, trainInThread } from './train-in-thread';
import { resolveParams, type TrainingDefaults, type TrainingParams } from './training-params';

export interface TrainingDeps {
  db: Db;
  modelDir: string;
  logger: Logger;
  defaults: TrainingDefaults;
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

export interface TrainingResult {
  params: TrainingParams;
  dataset: {
    rows: number;
    predictions: number;
    positives: number;
    trainRows: number;
    holdoutRows: number;
  };
  candidate: {
    modelId: string;
    version: number;
    sha256: string;
    newlyRegistered: boolean;
    metrics: Metrics;
  };
  active: { modelId: string; version: number; metrics: Metrics } | null;
  improvement: number | null;
  promoted: boolean;
  reason: string;
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

async function evaluateActive(db: Db, holdout: readonly TrainingExample[]) {
  const active = await getActiveModel(db);
  if (!active) return null;
  const bytes = await loadModelBytes(db, active.id);
  if (!bytes) return null;
  const scorer = await OnnxScorer.load(bytes, modelManifestSchema.parse(active.manifest));
  try {
    return {
      modelId: active.id,
      version: active.version,
      metrics: await evaluateModel(scorer, holdout),
    };
  } finally {
    await scorer.release();
  }
}

/** Promote when the candidate's holdout AUC beats the active model's by more than the margin. */
export function promotionDecision(
  candidate: Metrics,
  active: TrainingResult['active'],
  margin: number,
): Pick<TrainingResult, 'improvement' | 'promoted' | 'reason'> {
  if (!active) return { improvement: null, promoted: true, reason: 'there was no active model' };
  if (candidate.auc === null || active.metrics.auc === null) {
    return {
      improvement: null,
      promoted: false,
      reason: 'AUC is undefined on this holdout (one class only)',
    };
  }
  const improvement = candidate.auc - active.metrics.auc;
  const promoted = improvement > margin;
  const reason = promoted
    ? `holdout AUC ${candidate.auc.toFixed(4)} beats the active model's ${active.metrics.auc.toFixed(4)} by more than ${margin}`
    : `holdout AUC ${candidate.auc.toFixed(4)} does not beat the active model's ${active.metrics.auc.toFixed(4)} by more than ${margin}`;
  return { improvement, promoted, reason };
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
    const examples: TrainingExample[] = rows.map((r) => ({
      request: r.request,
      location: r.location,
      label: r.label,
      group: r.prediction_id,
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

    const holdout = trained.split.holdout.map((i) => examples[i] as TrainingExample);
    const active = await evaluateActive(db, holdout);
    const candidateMetrics = trained.metrics.holdout;
    const decision = promotionDecision(candidateMetrics, active, params.promoteMargin);

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
      metrics: {
        ...trained.metrics,
        comparison: { active, ...decision, margin: params.promoteMargin },
      },
      source: 'training',
      trainingRunId: runId,
    });
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
    if (decision.promoted && model.status !== 'active') await activateModel(db, model.id);

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
        metrics: candidateMetrics,
      },
      active,
      ...decision,
    };
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
