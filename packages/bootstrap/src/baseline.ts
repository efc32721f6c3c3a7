// The baseline model: trained from the simulated, labelled data set, before any feedback exists.
import {
  enrichRequest,
  type EnrichedRequest,
  pickLocationFeatures,
  pickTravellerRequest,
} from '@predictq/domain';
import { type TrainedRanker, type TrainingExample, trainRanker } from '@predictq/model';
import type { LabelledRow } from '@predictq/simulation';

export const BASELINE_NAME = 'baseline';
/** The baseline's artifacts live in <MODEL_DIR>/baseline/. */
export const BASELINE_DIR = 'baseline';

/** Flat labelled rows (the data set's TSV) as training examples, grouped by request. */
export function examplesFromRows(rows: readonly LabelledRow[]): TrainingExample[] {
  const requests = new Map<number, EnrichedRequest>();
  return rows.map((row) => {
    let request = requests.get(row.request_id);
    if (!request) {
      request = enrichRequest(pickTravellerRequest(row));
      requests.set(row.request_id, request);
    }
    return {
      request,
      location: pickLocationFeatures(row),
      label: row.label,
      group: row.request_id,
    };
  });
}

export function trainBaseline(rows: readonly LabelledRow[], seed: number): TrainedRanker {
  return trainRanker({ examples: examplesFromRows(rows), seed, name: BASELINE_NAME });
}
