// Database rows to API bodies (the response shapes of @predictq/contract).
import type { FeedbackRow, LocationRow, PredictionRow, RankedStay } from '@predictq/db';
import { requestOf } from '@predictq/db';
import { pickLocationFeatures, type TravellerRequest } from '@predictq/domain';
import type { PredictionView } from '@predictq/predictions';

import type {
  AcceptedBody,
  CompatLocationBody,
  CompatResultBody,
  FeedbackBody,
  LocationBody,
  PredictionBody,
} from '@predictq/contract';

export function presentLocation(row: LocationRow): LocationBody {
  return { id: row.id, town: row.town, ...pickLocationFeatures(row) };
}

export function presentAccepted(row: PredictionRow): AcceptedBody {
  return { id: row.id, status: row.status, created_at: row.created_at.toISOString() };
}

/** The request as the client sent it (the derived age statistics stay internal). */
function inputOf(row: PredictionRow): TravellerRequest {
  const { age_avg: _a, age_std: _s, age_min: _mi, age_max: _ma, ...request } = requestOf(row);
  return request;
}

export function presentPrediction(
  view: PredictionView,
  modelVersion: number | undefined,
): PredictionBody {
  const { prediction, ranking } = view;
  const output =
    ranking && prediction.model_id && modelVersion !== undefined
      ? {
          ranking: ranking.map((stay: RankedStay) => ({
            location_id: stay.location_id,
            score: stay.score,
            rank: stay.rank,
            location: presentLocation(stay.location),
          })),
          model: { id: prediction.model_id, version: modelVersion },
        }
      : null;
  return {
    id: prediction.id,
    status: prediction.status,
    input: inputOf(prediction),
    output,
    error: prediction.error,
    created_at: prediction.created_at.toISOString(),
    started_at: prediction.started_at?.toISOString() ?? null,
    completed_at: prediction.completed_at?.toISOString() ?? null,
  };
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
