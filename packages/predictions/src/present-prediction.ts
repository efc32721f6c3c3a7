// A prediction as the API shows it (GET, Prefer: wait, the stream's events, the webhook payload):
// one shape, built in one place, from the stored row and its ranking.
import type {
  LocationBody,
  PredictionBody,
  PredictionSummaryBody,
  WebhookDeliveryBody,
} from '@predictq/contract';
import {
  type DeliveryWithAttempts,
  type ListedPrediction,
  type LocationRow,
  type PredictionRow,
  type RankedStay,
  requestOf,
} from '@predictq/db';
import { pickLocationFeatures, type TravellerRequest, type WebhookEvent } from '@predictq/domain';

import type { PredictionView } from './read-prediction';

export function presentLocation(row: LocationRow): LocationBody {
  return { id: row.id, town: row.town, ...pickLocationFeatures(row) };
}

/** The request as the client sent it (the derived age statistics stay internal). */
function inputOf(row: PredictionRow): TravellerRequest {
  const { age_avg: _a, age_std: _s, age_min: _mi, age_max: _ma, ...request } = requestOf(row);
  return request;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

function common(prediction: PredictionRow) {
  return {
    id: prediction.id,
    status: prediction.status,
    input: inputOf(prediction),
    error: prediction.error,
    webhook: prediction.webhook,
    webhook_events_filter: (prediction.webhook_events_filter ?? null) as WebhookEvent[] | null,
    cancel_at: iso(prediction.cancel_at),
    created_at: prediction.created_at.toISOString(),
    started_at: iso(prediction.started_at),
    completed_at: iso(prediction.completed_at),
  };
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
  return { ...common(prediction), output };
}

export function presentSummary(row: ListedPrediction): PredictionSummaryBody {
  return {
    ...common(row),
    model:
      row.model_id && row.model_version !== null
        ? { id: row.model_id, version: row.model_version }
        : null,
    idempotency_key: row.idempotency_key,
  };
}

export function presentDelivery(row: DeliveryWithAttempts): WebhookDeliveryBody {
  return {
    id: row.id,
    event: row.event as WebhookEvent,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    delivered_at: iso(row.delivered_at),
    attempt_log: row.attempt_log.map((a) => ({
      at: a.created_at.toISOString(),
      status_code: a.status_code,
      latency_ms: a.latency_ms,
      error: a.error,
    })),
  };
}
