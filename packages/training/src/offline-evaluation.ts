// The candidate and the active model on the same held-out predictions, overall and per segment,
// in the metrics of the serving objective (packages/model choice-metrics). Both models score the
// same logged stays, the ones the serving model showed: neither is judged on stays nobody saw.
import { choiceMetrics, type LoggedChoice } from '@predictq/model';

import type { OfflineEvaluation, OnlineRecord } from './training-result.schema';

/** What one model makes of a prediction's shown stays (see LoggedChoice). */
export type ModelView = Pick<LoggedChoice, 'scores' | 'kept'>;

/** One held-out prediction with feedback: its shown stays seen by both models. */
export interface HeldOutPrediction {
  segment: string;
  weight: number;
  /** Index of the chosen stay among the shown ones; null for "none fitted". */
  chosen: number | null;
  candidate: ModelView;
  /** null without an active model. */
  active: ModelView | null;
}

/** One labelled prediction (either split) as users answered it. */
export interface AnsweredPrediction {
  segment: string;
  weight: number;
  chosen: boolean;
  servedByActive: boolean;
}

function compare(predictions: readonly HeldOutPrediction[], withActive: boolean) {
  const choices = (view: (p: HeldOutPrediction) => ModelView | null): LoggedChoice[] =>
    predictions.map((p) => ({ scores: [], ...view(p), chosen: p.chosen, weight: p.weight }));
  return {
    candidate: choiceMetrics(choices((p) => p.candidate)),
    active: withActive ? choiceMetrics(choices((p) => p.active)) : null,
  };
}

function onlineRecord(answered: readonly AnsweredPrediction[]): OnlineRecord {
  let weight = 0;
  let chosenWeight = 0;
  let chosen = 0;
  for (const a of answered) {
    weight += a.weight;
    if (!a.chosen) continue;
    chosen++;
    chosenWeight += a.weight;
  }
  return {
    predictions: answered.length,
    chosen,
    acceptance: weight > 0 ? chosenWeight / weight : null,
  };
}

function bySegment<T extends { segment: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.segment);
    if (group) group.push(item);
    else groups.set(item.segment, [item]);
  }
  return groups;
}

/**
 * Every metric for both models, overall and per segment (sorted by name), with each segment's
 * online record under the active model; the segments whose effective size is under
 * `minSegmentPredictions` are also pooled into smallSegments, so that their users still count
 * together in the promotion rule.
 */
export function evaluateOffline(input: {
  heldOut: readonly HeldOutPrediction[];
  answered: readonly AnsweredPrediction[];
  minSegmentPredictions: number;
}): OfflineEvaluation {
  const withActive = input.heldOut.every((p) => p.active !== null);
  const answered = bySegment(input.answered.filter((a) => a.servedByActive));
  const segments: OfflineEvaluation['segments'] = {};
  const small: string[] = [];
  const smallPredictions: HeldOutPrediction[] = [];
  const groups = bySegment(input.heldOut);
  for (const segment of [...groups.keys()].sort()) {
    const predictions = groups.get(segment) ?? [];
    const compared = compare(predictions, withActive);
    segments[segment] = { ...compared, activeOnline: onlineRecord(answered.get(segment) ?? []) };
    if (compared.candidate.effective_predictions < input.minSegmentPredictions) {
      small.push(segment);
      smallPredictions.push(...predictions);
    }
  }
  return {
    overall: compare(input.heldOut, withActive),
    segments,
    smallSegments: { segments: small, ...compare(smallPredictions, withActive) },
  };
}
