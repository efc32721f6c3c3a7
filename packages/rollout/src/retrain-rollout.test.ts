import { ZodError } from 'zod';

import { retrainRolloutPolicy } from './retrain-rollout';

describe('retrainRolloutPolicy', () => {
  it("fills the API's defaults around the settings, the mode from RETRAIN_ROLLOUT", () => {
    const canary = retrainRolloutPolicy('canary', { share: 0.1, min_feedback: 300 });
    expect(canary).toMatchObject({
      mode: 'canary',
      share: 0.1,
      min_feedback: 300,
      max_feedback: 5000,
      alpha: 0.05,
      force: false,
      guards: { max_error_rate: 0.05 },
    });
    expect(canary!.next).toBeUndefined();
    expect(retrainRolloutPolicy('shadow', {})).toMatchObject({ mode: 'shadow', share: 0.2 });
    expect(retrainRolloutPolicy('shadow', {})!.next).toBeUndefined();
    expect(retrainRolloutPolicy('shadow_then_canary', {})).toMatchObject({
      mode: 'shadow',
      next: 'canary',
    });
  });

  it('is null for none: the candidate waits for the operator', () => {
    expect(retrainRolloutPolicy('none', {})).toBeNull();
  });

  it('refuses a bad setting, or mode, force or next, naming the field', () => {
    const issues = (settings: unknown) => {
      try {
        retrainRolloutPolicy('canary', settings);
      } catch (error) {
        expect(error).toBeInstanceOf(ZodError);
        return (error as ZodError).issues.map((i) => i.path.join('.'));
      }
      return [];
    };
    expect(issues({ share: 2 })).toEqual(['share']);
    expect(issues({ min_feedback: 500, max_feedback: 100 })).toEqual(['max_feedback']);
    expect(issues({ guards: { max_error_rate: -1 } })).toEqual(['guards.max_error_rate']);
    expect(issues({ sharee: 0.1 })).toEqual(['']);
    expect(issues({ force: true })).toEqual(['']);
    expect(issues({ mode: 'shadow' })).toEqual(['']);
    expect(issues([1])).toEqual(['']);
  });
});
