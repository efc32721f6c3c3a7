// Scores the held-out rows with the candidate and the active model (both through ONNX Runtime,
// as they would serve), re-ranks each held-out request's candidates with both, and turns it all
// into the offline evaluation: logged choices per prediction, grouped by segment,
// recency-weighted.
import {
  type Db,
  getActiveModel,
  type LabelledFeedbackRow,
  loadModelBytes,
  type ModelSummary,
} from '@predictq/db';
import { type EnrichedRequest, segmentOf } from '@predictq/domain';
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

import { type CandidateCatalogue, loadCandidateCatalogue, servedTopK } from './catalogue-reranking';
import {
  type AnsweredPrediction,
  evaluateOffline,
  type HeldOutPrediction,
} from './offline-evaluation';
import type { OfflineEvaluation, ServingOptions } from './training-result.schema';

export interface HoldoutComparison {
  active: { modelId: string; version: number; metrics: Metrics } | null;
  evaluation: OfflineEvaluation;
}

/** A model's scores of the held-out rows, and the top K it would serve each held-out request. */
interface ModelOnHoldout {
  scores: Float32Array | Float64Array;
  shown: Set<number>[];
}

async function onHoldout(
  onnx: Uint8Array,
  manifest: ModelManifest,
  holdout: readonly TrainingExample[],
  requests: readonly EnrichedRequest[],
  serving: { catalogue: CandidateCatalogue; options: ServingOptions },
): Promise<ModelOnHoldout> {
  const scorer = await OnnxScorer.load(onnx, manifest);
  try {
    return {
      scores: await scoreExamples(scorer, holdout),
      shown: await servedTopK(scorer, requests, serving.catalogue, serving.options),
    };
  } finally {
    await scorer.release();
  }
}

async function activeOnHoldout(
  db: Db,
  ...rest: [readonly TrainingExample[], readonly EnrichedRequest[], Parameters<typeof onHoldout>[4]]
): Promise<(ModelOnHoldout & { model: ModelSummary }) | null> {
  const model = await getActiveModel(db);
  if (!model) return null;
  const bytes = await loadModelBytes(db, model.id);
  if (!bytes) return null;
  const seen = await onHoldout(bytes, modelManifestSchema.parse(model.manifest), ...rest);
  return { model, ...seen };
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
  serving: ServingOptions;
  minSegmentPredictions: number;
}): Promise<HoldoutComparison> {
  const { rows, split, weights } = input;
  const holdout = split.holdout.map((i) => input.examples[i] as TrainingExample);
  const groups = byPrediction(rows, split.holdout);
  const first = (group: number[]) => rows[group[0] as number] as LabelledFeedbackRow;
  const requests = groups.map((group) => first(group).request);
  const serving = { catalogue: await loadCandidateCatalogue(input.db), options: input.serving };
  const { onnx, manifest } = input.candidate;
  const candidate = await onHoldout(onnx, manifest, holdout, requests, serving);
  const active = await activeOnHoldout(input.db, holdout, requests, serving);
  // Where each held-out row sits in the holdout (and so in the score arrays).
  const position = new Map(split.holdout.map((row, k) => [row, k]));
  const heldOut: HeldOutPrediction[] = groups.map((group, g) => {
    const at = group.map((i) => position.get(i) as number);
    const view = (model: ModelOnHoldout) => ({
      scores: at.map((k) => model.scores[k] as number),
      kept: group.map(
        (i) => model.shown[g]?.has((rows[i] as LabelledFeedbackRow).location_id) ?? false,
      ),
    });
    const chosen = group.findIndex((i) => (rows[i] as LabelledFeedbackRow).label === 1);
    return {
      segment: segmentOf(first(group).request),
      weight: weights[group[0] as number] as number,
      chosen: chosen === -1 ? null : chosen,
      candidate: view(candidate),
      active: active && view(active),
    };
  });
  const answered: AnsweredPrediction[] = byPrediction(
    rows,
    rows.map((_, i) => i),
  ).map((group) => ({
    segment: segmentOf(first(group).request),
    weight: weights[group[0] as number] as number,
    chosen: group.some((i) => (rows[i] as LabelledFeedbackRow).label === 1),
    servedByActive: active !== null && first(group).model_id === active.model.id,
  }));
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
