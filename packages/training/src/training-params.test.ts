import { resolveParams, type TrainingDefaults } from './training-params';

const defaults: TrainingDefaults = {
  seed: 42,
  maxRows: 20_000,
  minRows: 200,
  holdoutFraction: 0.2,
  epochs: 20,
  recencyHalfLifeHours: 24,
  activate: true,
  promotion: {
    minSegmentPredictions: 30,
    minGain: 0.05,
    minReplaced: 0.5,
    maxHarm: 0.25,
    failingAcceptance: 0.3,
    failingNoneError: 0.3,
  },
};

describe('resolveParams', () => {
  it('takes the defaults for what was not asked', () => {
    expect(resolveParams(undefined, defaults)).toEqual(defaults);
  });

  it("overrides what was asked; promote_margin sets the rule's minimum gain", () => {
    expect(resolveParams({ seed: 7, epochs: 3, promote_margin: 0.1 }, defaults)).toEqual({
      ...defaults,
      seed: 7,
      epochs: 3,
      promotion: { ...defaults.promotion, minGain: 0.1 },
    });
  });

  it('reads a run the retraining policy started (its trigger is not a parameter)', () => {
    const trigger = { kind: 'drift', reason: 'input drift on budget' };
    expect(resolveParams({ trigger }, defaults)).toEqual(defaults);
    expect(resolveParams({ trigger, epochs: 3 }, defaults)).toEqual({ ...defaults, epochs: 3 });
    expect(() => resolveParams({ trigger, unknown: 1 }, defaults)).toThrow();
    // Its candidate waits for the rollout the run carries: the run never activates it itself.
    const rollout = { mode: 'canary', share: 0.2 };
    expect(resolveParams({ trigger, activate: false, rollout }, defaults)).toEqual({
      ...defaults,
      activate: false,
    });
  });
});
