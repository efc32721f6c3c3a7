// One benchmark session, timed on the client's clock: submit a prediction, poll until it ends
// (long polls, or short polls with a backoff), then send the simulated user's feedback. With
// poll 'wait' the submit asks to be answered once the prediction ended (Prefer: wait, RFC 7240),
// so a session is two requests; a prediction still running after the wait is long-polled. With
// poll 'stream' the result comes from the prediction's server-sent events (pushed, not polled).
import type { PredictionEvent, PredictqClient } from '@predictq/client';
import { isUnfinished } from '@predictq/domain';
import type { Rng } from '@predictq/random';
import {
  decide,
  generateRequest,
  type GeneratedRequest,
  pickProfile,
  type TravellerProfile,
} from '@predictq/simulation';

import type { WindowStats } from './bench-stats';

export type PollMode = 'long' | 'short' | 'wait' | 'stream';

export interface SessionPlan {
  profile: TravellerProfile;
  request: GeneratedRequest;
  /** The user's choice among the stays shown. */
  choice: Rng;
}

/** Session k draws from the k-th fork of the seed: the same seed sends the same requests. */
export function planSession(profiles: readonly TravellerProfile[], rng: Rng): SessionPlan {
  const profile = pickProfile(profiles, rng);
  const request = generateRequest(profile, rng, { startDate: '2026-06-01' });
  return { profile, request, choice: rng.fork() };
}

const LONG_POLL_SECONDS = 10;
// Short polls back off from 5 ms to 100 ms: quick answers at low load, bounded poll traffic at
// high load.
const pollDelay = (attempt: number) => Math.min(100, 5 * 2 ** attempt);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The prediction as the last event of its stream carries it (the terminal one, unless cut). */
async function lastEvent(client: PredictqClient, id: string) {
  let last: PredictionEvent | undefined;
  for await (const event of client.predictionEvents(id)) last = event;
  if (!last) throw new Error(`the event stream of ${id} ended without an event`);
  return last.prediction;
}

async function timed<T>(
  stats: WindowStats,
  sample: 'submit' | 'result' | 'feedback',
  send: () => Promise<T>,
) {
  const sent = performance.now();
  stats.requests += 1;
  const answer = await send();
  stats.record(sample, performance.now() - sent);
  return answer;
}

/**
 * Runs one session and records it in `stats`. `origin` is when it counts from (performance.now()
 * time): the submit's sending in a closed loop, the scheduled start in an open loop. Never throws.
 */
export async function runSession(
  client: PredictqClient,
  plan: SessionPlan,
  poll: PollMode,
  origin: number,
  stats: WindowStats,
): Promise<void> {
  stats.sessions.started += 1;
  try {
    const accepted = await timed(stats, 'submit', () =>
      poll === 'wait'
        ? client.request('submitPrediction', {
            body: plan.request,
            headers: { Prefer: `wait=${LONG_POLL_SECONDS}` },
          })
        : client.submitPrediction(plan.request),
    );
    const wait = poll === 'short' ? 0 : LONG_POLL_SECONDS;
    let prediction =
      'input' in accepted && !isUnfinished(accepted.status)
        ? accepted
        : await timed(stats, 'result', () =>
            poll === 'stream'
              ? lastEvent(client, accepted.id)
              : client.getPrediction(accepted.id, wait),
          );
    for (let attempt = 0; isUnfinished(prediction.status); attempt++) {
      if (poll === 'short') await sleep(pollDelay(attempt));
      prediction = await timed(stats, 'result', () => client.getPrediction(accepted.id, wait));
    }
    stats.record('resultInHand', performance.now() - origin);
    if (prediction.status !== 'succeeded' || !prediction.output) {
      stats.end('predictionFailed');
      return;
    }
    stats.record(
      'server',
      Date.parse(prediction.completed_at!) - Date.parse(prediction.created_at),
    );
    const shown = prediction.output.ranking;
    const decision = decide(
      plan.profile,
      plan.request,
      shown.map((stay) => stay.location),
      plan.choice,
    );
    const chosen = decision.index === null ? null : (shown[decision.index]?.location_id ?? null);
    await timed(stats, 'feedback', () => client.sendFeedback(accepted.id, chosen));
    stats.record('session', performance.now() - origin);
    stats.end('completed');
  } catch (error) {
    stats.recordError(error);
    stats.end('errored');
  }
}
