import { ApiError } from '@predictq/client';
import { createRng } from '@predictq/random';
import {
  generateCatalogue,
  type GeneratedRequest,
  readLocationProfiles,
  readTravellerProfiles,
  type TravellerProfile,
} from '@predictq/simulation';

import type { PollResult, ShownStay, TrafficApi } from './api-flows';
import { TrafficRunner } from './runner';
import { TrafficStats } from './stats';

let profiles: TravellerProfile[];
let catalogue: ShownStay[];

beforeAll(async () => {
  profiles = await readTravellerProfiles();
  const stays = generateCatalogue(await readLocationProfiles(), createRng(5));
  catalogue = stays.map(({ town: _town, ...features }, i) => ({ ...features, location_id: i + 1 }));
});

interface Sent {
  request: GeneratedRequest;
  feedback?: number | null;
}

/**
 * A hand-written API that answers after random delays (so that sessions interleave differently
 * on every run), ranks the cheapest stays within budget, and records what it was sent by session
 * number (the idempotency key's suffix).
 */
function fakeApi(options: { failSubmits?: number } = {}) {
  const sent = new Map<number, Sent>();
  const session = new Map<string, number>();
  let failures = options.failSubmits ?? 0;
  const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 3));
  const ranking = (request: GeneratedRequest) =>
    [...catalogue]
      .filter((s) => s.price <= request.budget * 1.5)
      .sort((a, b) => a.price - b.price)
      .slice(0, 10);
  const api: TrafficApi = {
    flavour: 'v1',
    submit: async (request, key) => {
      await jitter();
      if (failures-- > 0) throw new ApiError(503, 'unavailable', null);
      const index = Number(key.split('-').pop());
      sent.set(index, { request });
      session.set(`p${index}`, index);
      return `p${index}`;
    },
    poll: async (id): Promise<PollResult> => {
      await jitter();
      if (Math.random() < 0.5) return { state: 'pending' };
      return { state: 'succeeded', stays: ranking(sent.get(session.get(id)!)!.request) };
    },
    results: async () => [],
    feedback: async (id, locationId) => {
      await jitter();
      sent.get(session.get(id)!)!.feedback = locationId;
    },
  };
  return { api, sent };
}

async function run(seed: number, parallel: number, sessions: number, failSubmits = 0) {
  const { api, sent } = fakeApi({ failSubmits });
  const stats = new TrafficStats();
  const failures: string[] = [];
  const runner = new TrafficRunner(
    {
      api,
      profiles,
      decision: 0.8,
      startDate: '2026-06-01',
      // Think times are drawn (up to 2 ms), a number of them that depends on the timing.
      think: { alpha: 2, beta: 5, tmin: 0, tmax: 0.002 },
      maxWaitMs: 60_000,
      keyPrefix: 'traffic-test',
      stats,
      onFailure: (step, error) => failures.push(`${step}: ${stats.recordFailure(error).kind}`),
    },
    { parallel, sessions, seed, stopping: new AbortController() },
  );
  await runner.run();
  return { sent, stats, failures };
}

describe('TrafficRunner', () => {
  it('sends the same requests and feedback for the same seed, whatever the users and timing', async () => {
    const one = await run(7, 1, 30);
    const many = await run(7, 6, 30);
    expect([...many.sent.keys()].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    for (let i = 0; i < 30; i++) expect(many.sent.get(i)).toEqual(one.sent.get(i));
    const other = await run(8, 6, 30);
    expect(other.sent.get(0)).not.toEqual(one.sent.get(0));
  });

  it('counts every session, prediction and feedback, and skipped feedback is never sent', async () => {
    const { sent, stats } = await run(3, 4, 40);
    expect(stats.sessionsEnded).toBe(40);
    expect(stats.sessions.completed).toBe(40);
    expect(stats.predictions).toEqual({ submitted: 40, succeeded: 40, failed: 0 });
    const given = [...sent.values()].filter((s) => s.feedback !== undefined);
    const chosen = given.filter((s) => s.feedback !== null).length;
    expect(stats.feedback).toEqual({
      chosen,
      none: given.length - chosen,
      skipped: 40 - given.length,
    });
    // --decision 0.8: some users skip, most answer.
    expect(stats.feedback.skipped).toBeGreaterThan(0);
    expect(stats.feedback.skipped).toBeLessThan(20);
  });

  it('counts a failed submit as an errored session and goes on with the next', async () => {
    const { stats, failures } = await run(3, 2, 10, 3);
    expect(stats.sessions.errored).toBe(3);
    expect(stats.sessions.completed).toBe(7);
    expect(stats.httpErrors).toEqual({ '503': 3 });
    expect(failures).toEqual(['submit: HTTP 503', 'submit: HTTP 503', 'submit: HTTP 503']);
  });

  it('ends at once when stopped, counting the sessions it cut short as interrupted', async () => {
    const { api } = fakeApi();
    const stats = new TrafficStats();
    const stopping = new AbortController();
    const runner = new TrafficRunner(
      {
        api,
        profiles,
        decision: 1,
        startDate: '2026-06-01',
        think: { alpha: 2, beta: 5, tmin: 10, tmax: 20 },
        maxWaitMs: 60_000,
        keyPrefix: 'traffic-test',
        stats,
        onFailure: () => undefined,
      },
      { parallel: 3, sessions: 0, seed: 1, stopping },
    );
    const done = runner.run();
    setTimeout(() => runner.stop('SIGINT'), 20);
    await done;
    expect(runner.stoppedBy).toBe('SIGINT');
    expect(stats.sessions.interrupted).toBe(3);
    expect(stats.sessionsEnded).toBe(3);
  });
});
