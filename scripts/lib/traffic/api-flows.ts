// The two ways a simulated user talks to predictq: the versioned API (v1) and the
// MLprod-compatible routes. A session runs the same steps over either.
import { ApiError, type PredictqClient } from '@predictq/client';
import type { LocationFeatures } from '@predictq/domain';
import type { GeneratedRequest } from '@predictq/simulation';

import type { ApiFlavour } from './options';

/** A stay the user was shown, with the features the labeller looks at. */
export type ShownStay = LocationFeatures & { location_id: number };

export type PollResult =
  | { state: 'pending' }
  | { state: 'failed' }
  /** `stays` when the poll already carried the ranking; `latencyMs` when the server timed it. */
  | { state: 'succeeded'; stays?: ShownStay[]; latencyMs?: number };

export interface TrafficApi {
  readonly flavour: ApiFlavour;
  /** Submits the request; answers the prediction's id. */
  submit(request: GeneratedRequest, idempotencyKey: string): Promise<string>;
  poll(id: string): Promise<PollResult>;
  /** Reads the ranking of a succeeded prediction (the stays become "shown"). */
  results(id: string): Promise<ShownStay[]>;
  /** The chosen stay, or null for "none fitted". */
  feedback(id: string, locationId: number | null): Promise<void>;
}

/** How many results a compat user reads, as the original client did. */
export const COMPAT_RESULTS = 10;

/**
 * The API records one feedback per prediction, and each prediction belongs to one session: a
 * 409 feedback_exists can only answer a retry whose first attempt was recorded.
 */
function recordedBefore(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.code === 'feedback_exists';
}

async function ignoreRecordedBefore(send: Promise<unknown>): Promise<void> {
  try {
    await send;
  } catch (error) {
    if (!recordedBefore(error)) throw error;
  }
}

async function v1Poll(client: PredictqClient, id: string): Promise<PollResult> {
  const prediction = await client.getPrediction(id);
  switch (prediction.status) {
    case 'queued':
    case 'processing':
      return { state: 'pending' };
    case 'succeeded': {
      // The answer carries the ranking (reading it marks the stays shown) and its timestamps.
      const stays = (prediction.output?.ranking ?? []).map((stay) => ({
        ...stay.location,
        location_id: stay.location_id,
      }));
      const { created_at, completed_at } = prediction;
      const latencyMs = Date.parse(completed_at ?? created_at) - Date.parse(created_at);
      return { state: 'succeeded', stays, latencyMs };
    }
    default:
      return { state: 'failed' };
  }
}

export function v1Api(client: PredictqClient): TrafficApi {
  return {
    flavour: 'v1',
    submit: async (request, key) => (await client.submitPrediction(request, key)).id,
    poll: (id) => v1Poll(client, id),
    results: async (id) => {
      const polled = await v1Poll(client, id);
      return polled.state === 'succeeded' ? (polled.stays ?? []) : [];
    },
    feedback: (id, locationId) => ignoreRecordedBefore(client.sendFeedback(id, locationId)),
  };
}

export function compatApi(client: PredictqClient): TrafficApi {
  return {
    flavour: 'compat',
    // The original client sends the profile as `name`; the route has no idempotency.
    submit: async ({ profile, ...request }) =>
      (await client.startInference({ ...request, name: profile })).task_id,
    poll: async (id) => {
      try {
        const task = await client.inferenceStatus(id);
        if (task.status === 'SUCCESS') return { state: 'succeeded' };
        return task.status === 'PENDING' || task.status === 'STARTED'
          ? { state: 'pending' }
          : { state: 'failed' };
      } catch (error) {
        // The original answers a failed task with 500 prediction_failed.
        if (error instanceof ApiError && error.code === 'prediction_failed') {
          return { state: 'failed' };
        }
        throw error;
      }
    },
    results: (id) => client.inferenceResults(id, COMPAT_RESULTS),
    feedback: (id, locationId) => ignoreRecordedBefore(client.selectLocation(id, locationId ?? -1)),
  };
}

export function trafficApi(flavour: ApiFlavour, client: PredictqClient): TrafficApi {
  return flavour === 'v1' ? v1Api(client) : compatApi(client);
}
