// Database rows to API bodies (the response shapes of @predictq/contract).
import type { FeedbackRow, LocationRow, PredictionRow, RankedStay } from '@predictq/db';
import { pickLocationFeatures } from '@predictq/domain';

import type {
  AcceptedBody,
  CompatLocationBody,
  CompatResultBody,
  FeedbackBody,
} from '@predictq/contract';

export {
  presentDelivery,
  presentLocation,
  presentPrediction,
  presentSummary,
} from '@predictq/predictions';

export function presentAccepted(row: PredictionRow): AcceptedBody {
  return { id: row.id, status: row.status, created_at: row.created_at.toISOString() };
}

export function presentFeedback(row: FeedbackRow): FeedbackBody {
  return {
    prediction_id: row.prediction_id,
    outcome: row.outcome,
    location_id: row.location_id,
    rank: row.chosen_rank,
    created_at: row.created_at.toISOString(),
  };
}

export function presentCompatResult(stay: RankedStay): CompatResultBody {
  return {
    location_id: stay.location_id,
    score: stay.score,
    ...pickLocationFeatures(stay.location),
  };
}

export function presentCompatLocation(row: LocationRow): CompatLocationBody {
  return { location_id: row.id, ...pickLocationFeatures(row) };
}
