// One simulated user's session: pick a profile, make a request from it, submit it, poll until it
// is done, read the ranking, decide with the labeller, send the feedback (or skip it).
import { NetworkError } from '@predictq/client';
import type { Rng } from '@predictq/random';
import {
  decide,
  type GeneratedRequest,
  generateRequest,
  pickProfile,
  type TravellerProfile,
} from '@predictq/simulation';

import type { PollResult, ShownStay, TrafficApi } from './api-flows';
import {
  ERROR_PAUSE_MS,
  Interrupted,
  pause,
  pollBackoffMs,
  type ThinkTime,
  thinkTimeMs,
} from './pacing';
import type { SessionOutcome, Step, TrafficStats } from './stats';

export interface SessionContext {
  api: TrafficApi;
  profiles: readonly TravellerProfile[];
  /** Probability that the user gives feedback at all. */
  decision: number;
  startDate: string;
  /** null under --no-sleep. */
  think: ThinkTime | null;
  maxWaitMs: number;
  /** Idempotency keys are `<prefix>-<session>`. */
  keyPrefix: string;
  stats: TrafficStats;
  /** Aborted when the run stops: no request is started after it. */
  stop: AbortSignal;
  /** A request failed for good (after its retries). */
  onFailure(step: Step | 'session', error: unknown): void;
  /** Called as each request is submitted (the request log). */
  onSubmit?(session: number, request: GeneratedRequest): void;
}

class StepFailed extends Error {
  constructor(
    readonly step: Step,
    readonly error: unknown,
  ) {
    super(`${step} failed`);
  }
}

async function step<T>(ctx: SessionContext, name: Step, send: () => Promise<T>): Promise<T> {
  if (ctx.stop.aborted) throw new Interrupted();
  ctx.stats.requests += 1;
  try {
    return await send();
  } catch (error) {
    if (error instanceof NetworkError && error.code === 'ABORTED') throw new Interrupted();
    throw new StepFailed(name, error);
  }
}

const think = (ctx: SessionContext, pacing: Rng) =>
  pause(ctx.think ? thinkTimeMs(ctx.think, pacing) : 0, ctx.stop);

/** Polls with think time (or the --no-sleep backoff) until the prediction ends or the user quits. */
async function waitUntilDone(
  ctx: SessionContext,
  id: string,
  pacing: Rng,
): Promise<Exclude<PollResult, { state: 'pending' }> | 'abandoned'> {
  const since = performance.now();
  for (let poll = 0; ; poll++) {
    await pause(ctx.think ? thinkTimeMs(ctx.think, pacing) : pollBackoffMs(poll), ctx.stop);
    const result = await step(ctx, 'poll', () => ctx.api.poll(id));
    if (result.state !== 'pending') return result;
    if (performance.now() - since > ctx.maxWaitMs) return 'abandoned';
  }
}

/** The stay the user picks among those shown, or null for "none fitted". */
function choose(
  profile: TravellerProfile,
  request: GeneratedRequest,
  stays: readonly ShownStay[],
  rng: Rng,
): number | null {
  const decision = decide(profile, request, stays, rng);
  return decision.index === null ? null : (stays[decision.index]?.location_id ?? null);
}

async function steps(
  ctx: SessionContext,
  index: number,
  rng: Rng,
): Promise<Exclude<SessionOutcome, 'errored' | 'interrupted'>> {
  const { stats } = ctx;
  const started = performance.now();
  // The user's choices and the pacing draw from their own generators: how many polls a session
  // takes depends on timing, and must not shift what the user asks for or decides.
  const behaviour = rng.fork();
  const pacing = rng.fork();
  const profile = pickProfile(ctx.profiles, behaviour);
  const request = generateRequest(profile, behaviour, { startDate: ctx.startDate });
  const answers = behaviour.bernoulli(ctx.decision);

  await think(ctx, pacing);
  ctx.onSubmit?.(index, request);
  const submitted = performance.now();
  const id = await step(ctx, 'submit', () => ctx.api.submit(request, `${ctx.keyPrefix}-${index}`));
  stats.predictions.submitted += 1;
  const done = await waitUntilDone(ctx, id, pacing);
  if (done === 'abandoned') return 'abandoned';
  if (done.state === 'failed') {
    stats.predictions.failed += 1;
    return 'prediction_failed';
  }
  stats.predictions.succeeded += 1;
  stats.latencyMs.push(done.latencyMs ?? performance.now() - submitted);
  const stays = done.stays ?? (await step(ctx, 'results', () => ctx.api.results(id)));

  await think(ctx, pacing);
  if (answers) {
    const locationId = choose(profile, request, stays, behaviour);
    await step(ctx, 'feedback', () => ctx.api.feedback(id, locationId));
    stats.feedback[locationId === null ? 'none' : 'chosen'] += 1;
  } else {
    stats.feedback.skipped += 1;
  }
  stats.sessionMs.push(performance.now() - started);
  return 'completed';
}

/**
 * Runs session number `index` with its own generator `rng`, and says how it ended. Never throws:
 * a failed request is reported through ctx.onFailure, then the user pauses (think time, or a
 * short pause under --no-sleep) before the session ends.
 */
export async function runSession(
  ctx: SessionContext,
  index: number,
  rng: Rng,
): Promise<SessionOutcome> {
  try {
    return await steps(ctx, index, rng);
  } catch (error) {
    if (error instanceof Interrupted) return 'interrupted';
    if (error instanceof StepFailed) ctx.onFailure(error.step, error.error);
    else ctx.onFailure('session', error);
    try {
      await pause(ctx.think ? thinkTimeMs(ctx.think, rng) : ERROR_PAUSE_MS, ctx.stop);
    } catch {
      // Stopped during the pause: the session failed all the same.
    }
    return 'errored';
  }
}
