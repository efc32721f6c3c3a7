// A little traffic for the dashboard check, so that every panel has something to show: whole
// sessions (submit, wait for the ranking, feedback: mostly a chosen stay, sometimes none) and one
// rejected request.
import { PredictqClient } from '@predictq/client';
import { EXAMPLE_TRAVELLER_REQUEST, type TravellerRequest } from '@predictq/domain';

const REQUESTS: TravellerRequest[] = [
  EXAMPLE_TRAVELLER_REQUEST,
  {
    people_num: 2,
    people_age: [29, 31],
    children_num: 0,
    budget: 180,
    nights: 2,
    time_arrival: '2026-06-12',
    pool: false,
    spa: true,
    pet_friendly: true,
    lake: false,
    mountain: true,
    sport: true,
  },
];

export async function driveSessions(
  baseUrl: string,
  sessions: number,
): Promise<{ succeeded: number }> {
  const client = new PredictqClient({ baseUrl });
  let succeeded = 0;
  try {
    await Promise.all(
      Array.from({ length: sessions }, async (_, i) => {
        const accepted = await client.submitPrediction(REQUESTS[i % REQUESTS.length]!);
        let prediction = await client.getPrediction(accepted.id, 10);
        for (let tries = 0; prediction.status !== 'succeeded' && tries < 5; tries++) {
          prediction = await client.getPrediction(accepted.id, 10);
        }
        if (prediction.status !== 'succeeded') return;
        succeeded++;
        const chosen =
          i % 4 === 3 ? null : (prediction.output?.ranking[i % 3]?.location_id ?? null);
        await client.sendFeedback(accepted.id, chosen);
      }),
    );
    // A rejected request, for the validation panels.
    await client
      .submitPrediction({ ...REQUESTS[0]!, budget: -1 })
      .then(() => {
        throw new Error('a negative budget was accepted');
      })
      .catch((error: unknown) => {
        if (error instanceof Error && error.message === 'a negative budget was accepted')
          throw error;
      });
  } finally {
    await client.close();
  }
  return { succeeded };
}

/**
 * Sessions in two waves with a pause of `pauseMs` (longer than a scrape interval) between them:
 * a series that appears during a single scrape interval has no rate yet (Prometheus sees only
 * its first value), so the first wave creates every series and the second one moves them.
 */
export async function driveTraffic(
  baseUrl: string,
  sessions: number,
  pauseMs: number,
): Promise<{ succeeded: number }> {
  const first = Math.min(sessions, 4);
  const a = await driveSessions(baseUrl, first);
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const b = await driveSessions(baseUrl, Math.max(sessions - first, 4));
  return { succeeded: a.succeeded + b.succeeded };
}
