import type { FeatureDrift } from './measure-drift';
import {
  decideRetrain,
  type RetrainPolicyOptions,
  type RetrainPolicyState,
} from './retrain-policy';

const options: RetrainPolicyOptions = {
  minNewFeedback: 1000,
  driftMinNewFeedback: 100,
  cooldownMs: 30 * 60_000,
};
const now = new Date('2026-12-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const model = { id: '6e6e3af3-aaff-4fef-9ffb-f079cf4a8f60', version: 1 };

const feature = (name: FeatureDrift['feature'], psi: number): FeatureDrift => ({
  feature: name,
  psi,
  ks: 0,
  drifted: psi >= 0.25,
  edges: [],
  baseline: [1],
  window: [1],
});
const drifting: RetrainPolicyState['drift'] = {
  status: 'drift',
  model,
  drifted: ['budget', 'age_avg'],
  features: [feature('budget', 1.7), feature('age_avg', 0.6), feature('pool', 0.01)],
};
const calm: RetrainPolicyState['drift'] = {
  status: 'ok',
  model,
  drifted: [],
  features: [feature('budget', 0.02)],
};

function state(overrides: Partial<RetrainPolicyState> = {}): RetrainPolicyState {
  return {
    now,
    activity: { latestAt: minutesAgo(600), unfinished: 0, lastTriggeredAt: null },
    newFeedback: 500,
    drift: drifting,
    ...overrides,
  };
}

describe('decideRetrain', () => {
  it('triggers on drift with enough new feedback, naming the drifted features and their PSI', () => {
    const decision = decideRetrain(state(), options);
    expect(decision).toEqual({
      retrain: true,
      trigger: {
        kind: 'drift',
        reason:
          'input drift on budget (PSI 1.700), age_avg (PSI 0.600), with 500 new feedback to learn from',
        at: now.toISOString(),
        newFeedback: 500,
        model,
        drifted: [
          { feature: 'budget', psi: 1.7 },
          { feature: 'age_avg', psi: 0.6 },
        ],
      },
    });
  });

  it('does not trigger on drift without new feedback to learn from', () => {
    const decision = decideRetrain(state({ newFeedback: 99 }), options);
    expect(decision).toEqual({
      retrain: false,
      reason: expect.stringMatching(/only 99 new feedback \(100 needed\)/),
    });
  });

  it('triggers on enough new feedback alone, without drift', () => {
    const decision = decideRetrain(state({ drift: calm, newFeedback: 1000 }), options);
    expect(decision).toMatchObject({
      retrain: true,
      trigger: { kind: 'feedback', newFeedback: 1000 },
    });
    expect(decideRetrain(state({ drift: null, newFeedback: 1000 }), options)).toMatchObject({
      retrain: true,
      trigger: { kind: 'feedback', model: null },
    });
  });

  it('does not trigger below both thresholds, nor on feedback when that trigger is off', () => {
    expect(decideRetrain(state({ drift: calm, newFeedback: 999 }), options)).toMatchObject({
      retrain: false,
    });
    expect(
      decideRetrain(state({ drift: calm, newFeedback: 1e6 }), { ...options, minNewFeedback: 0 }),
    ).toMatchObject({ retrain: false });
    const insufficient = { ...calm, status: 'insufficient_data' as const };
    expect(decideRetrain(state({ drift: insufficient, newFeedback: 10 }), options)).toMatchObject({
      retrain: false,
      reason: expect.stringMatching(/insufficient_data/),
    });
  });

  it('never starts a second run while one is queued or running', () => {
    const busy = { latestAt: minutesAgo(1), unfinished: 1, lastTriggeredAt: null };
    expect(decideRetrain(state({ activity: busy, newFeedback: 1e6 }), options)).toEqual({
      retrain: false,
      reason: 'a training run is already queued or running',
    });
  });

  it('never triggers while a rollout runs: a new candidate could not be tried before it ends', () => {
    const rollout = { id: 'b1c8c1f4-5ad4-4c4e-8a3c-1f0f5b1f1e2a', mode: 'canary' };
    expect(decideRetrain(state({ rollout, newFeedback: 1e6 }), options)).toEqual({
      retrain: false,
      reason: `a canary rollout is running (${rollout.id}): its evidence comes first`,
    });
    expect(decideRetrain(state({ rollout: null }), options)).toMatchObject({ retrain: true });
  });

  it('waits out the cooldown after a trigger, then triggers again', () => {
    const recent = { latestAt: minutesAgo(10), unfinished: 0, lastTriggeredAt: minutesAgo(10) };
    expect(decideRetrain(state({ activity: recent, newFeedback: 1e6 }), options)).toMatchObject({
      retrain: false,
      reason: expect.stringMatching(/cooling down: the previous trigger was 600 s ago/),
    });
    const old = { latestAt: minutesAgo(31), unfinished: 0, lastTriggeredAt: minutesAgo(31) };
    expect(decideRetrain(state({ activity: old }), options)).toMatchObject({ retrain: true });
  });

  it('triggers at most once however often it is asked, when each trigger is recorded', () => {
    // The loop records each trigger as a queued run: a storm of calls starts one run.
    let activity = {
      latestAt: minutesAgo(600),
      unfinished: 0,
      lastTriggeredAt: null as Date | null,
    };
    let started = 0;
    for (let minute = 0; minute < 120; minute++) {
      const at = new Date(now.getTime() + minute * 60_000);
      const decision = decideRetrain(state({ now: at, activity, newFeedback: 5000 }), options);
      if (decision.retrain) {
        started++;
        activity = { latestAt: at, unfinished: 1, lastTriggeredAt: at };
      } else if (activity.unfinished > 0 && minute % 10 === 5) {
        activity = { ...activity, unfinished: 0 }; // the run ended
      }
    }
    // 120 minutes, a 30-minute cooldown: at most 4 runs, never two at once.
    expect(started).toBeGreaterThanOrEqual(3);
    expect(started).toBeLessThanOrEqual(4);
  });
});
