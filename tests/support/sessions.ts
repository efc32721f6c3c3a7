// Simulated users for tests: each session submits a request drawn from a traveller profile,
// waits for the ranking and gives the labeller's feedback.
import type { PredictqClient } from '@predictq/client';
import { createRng } from '@predictq/random';
import {
  decide,
  generateRequest,
  NOISY_TRAVELLER_PROFILES,
  pickProfile,
  readTravellerProfiles,
} from '@predictq/simulation';

export interface SessionOutcome {
  predictionId: string;
  modelId: string;
  chosen: boolean;
}

export async function simulateSessions(
  client: PredictqClient,
  count: number,
  options: { seed: number; noisy?: boolean; concurrency?: number },
): Promise<SessionOutcome[]> {
  const profiles = await readTravellerProfiles(
    options.noisy ? NOISY_TRAVELLER_PROFILES : undefined,
  );
  const rng = createRng(options.seed);
  const plans = Array.from({ length: count }, () => {
    const profile = pickProfile(profiles, rng);
    return {
      profile,
      request: generateRequest(profile, rng, { startDate: '2026-06-01' }),
      rng: rng.fork(),
    };
  });
  const outcomes: SessionOutcome[] = [];
  let next = 0;
  const runner = async () => {
    while (next < plans.length) {
      const plan = plans[next++]!;
      const accepted = await client.submitPrediction(plan.request);
      let prediction = await client.getPrediction(accepted.id, 10);
      while (prediction.status !== 'succeeded') {
        if (prediction.status === 'failed') throw new Error(`prediction ${accepted.id} failed`);
        prediction = await client.getPrediction(accepted.id, 10);
      }
      const stays = prediction.output!.ranking;
      const decision = decide(
        plan.profile,
        plan.request,
        stays.map((s) => s.location),
        plan.rng,
      );
      const chosen = decision.index === null ? null : stays[decision.index]!.location_id;
      await client.sendFeedback(accepted.id, chosen);
      outcomes.push({
        predictionId: accepted.id,
        modelId: prediction.output!.model.id,
        chosen: chosen !== null,
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, runner));
  return outcomes;
}
