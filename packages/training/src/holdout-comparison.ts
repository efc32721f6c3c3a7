// Scores the held-out rows with the candidate and the active model (both through ONNX Runtime,
// as they would serve) and turns them into the offline evaluation: logged choices per
// prediction, grouped by segment, recency-weighted.
import {
  type Db,
  getActiveModel,
  type LabelledFeedbackRow,
  loadModelBytes,
  type ModelSummary,
} from '@predictq/db';
import { segmentOf } from '@predictq/domain';
import {
  evaluate,
  type Metrics,
  type ModelManifest,
  modelManifestSchema,
  OnnxScorer,
  type RankerSplit,
  scoreExamples,
  type TrainingExample,
} from '@predictq/model';

import {
  type AnsweredPrediction,
  evaluateOffline,
  type HeldOutPrediction,
} from './offline-evaluation';
import type { OfflineEvaluation } from './training-result.schema';

export interface HoldoutComparison {
  active: { modelId: string; version: number; metrics: Metrics } | null;
  evaluation: OfflineEvaluation;
}

async function scoreWith(
  onnx: Uint8Array,
  manifest: ModelManifest,
  examples: readonly TrainingExample[],
): Promise<Float32Array | Float64Array> {
  const scorer = await OnnxScorer.load(onnx, manifest);
  try {
    return await scoreExamples(scorer, examples);
  } finally {
    await scorer.release();
  }
}

async function activeScores(
  db: Db,
  holdout: readonly TrainingExample[],
): Promise<{ model: ModelSummary; scores: Float32Array | Float64Array } | null> {
  const model = await getActiveModel(db);
  if (!model) return null;
  const bytes = await loadModelBytes(db, model.id);
  if (!bytes) return null;
  const scores = await scoreWith(bytes, modelManifestSchema.parse(model.manifest), holdout);
  return { model, scores };
}

/** Row indices by prediction, in order of first appearance (a prediction's rows are adjacent). */
function byPrediction(rows: readonly LabelledFeedbackRow[], indices: readonly number[]) {
  const groups = new Map<string, number[]>();
  for (const i of indices) {
    const id = (rows[i] as LabelledFeedbackRow).prediction_id;
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  }
  return [...groups.values()];
}

/**
 * The candidate (its exported bytes) and the active model on the holdout of `split`. `weights`
 * holds each row's recency weight (one value for all the rows of a prediction).
 */
export async function compareOnHoldout(input: {
  db: Db;
  rows: readonly LabelledFeedbackRow[];
  examples: readonly TrainingExample[];
  weights: readonly number[];
  split: RankerSplit;
  candidate: { onnx: Uint8Array; manifest: ModelManifest };
  minSegmentPredictions: number;
}): Promise<HoldoutComparison> {
  const { rows, split, weights } = input;
  const holdout = split.holdout.map((i) => input.examples[i] as TrainingExample);
  const candidateScores = await scoreWith(input.candidate.onnx, input.candidate.manifest, holdout);
  const active = await activeScores(input.db, holdout);
  // Where each held-out row sits in the holdout (and so in the score arrays).
  const position = new Map(split.holdout.map((row, k) => [row, k]));
  const heldOut: HeldOutPrediction[] = byPrediction(rows, split.holdout).map((group) => {
    const first = rows[group[0] as number] as LabelledFeedbackRow;
    const at = group.map((i) => position.get(i) as number);
    const chosen = group.findIndex((i) => (rows[i] as LabelledFeedbackRow).label === 1);
    return {
      segment: segmentOf(first.request),
      weight: weights[group[0] as number] as number,
      chosen: chosen === -1 ? null : chosen,
      candidate: at.map((k) => candidateScores[k] as number),
      active: active ? at.map((k) => active.scores[k] as number) : null,
    };
  });
  const all = rows.map((_, i) => i);
  const answered: AnsweredPrediction[] = byPrediction(rows, all).map((group) => {
    const first = rows[group[0] as number] as LabelledFeedbackRow;
    return {
      segment: segmentOf(first.request),
      weight: weights[group[0] as number] as number,
      chosen: group.some((i) => (rows[i] as LabelledFeedbackRow).label === 1),
      servedByActive: active !== null && first.model_id === active.model.id,
    };
  });
  const labels = Uint8Array.from(holdout, (e) => e.label);
  return {
    active: active && {
      modelId: active.model.id,
      version: active.model.version,
      metrics: evaluate(active.scores, labels),
    },
    evaluation: evaluateOffline({
      heldOut,
      answered,
      minSegmentPredictions: input.minSegmentPredictions,
    }),
  };
}
