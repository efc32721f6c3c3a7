// The baseline model: trained from the simulated, labelled data set, before any feedback exists.
import { enrichOncePer, pickLocationFeatures } from '@predictq/domain';
import { type TrainedRanker, type TrainingExample, trainRanker } from '@predictq/model';
import type { LabelledRow } from '@predictq/simulation';

export const BASELINE_NAME = 'baseline';
/** The baseline's artifacts live in <MODEL_DIR>/baseline/. */
export const BASELINE_DIR = 'baseline';

/** Flat labelled rows (the data set's TSV) as training examples, grouped by request. */
export function examplesFromRows(rows: readonly LabelledRow[]): TrainingExample[] {
  const requestOf = enrichOncePer<number>();
  return rows.map((row) => ({
    request: requestOf(row.request_id, row),
    location: pickLocationFeatures(row),
    label: row.label,
    group: row.request_id,
  }));
}

export function trainBaseline(rows: readonly LabelledRow[], seed: number): TrainedRanker {
  return trainRanker({ examples: examplesFromRows(rows), seed, name: BASELINE_NAME });
}
