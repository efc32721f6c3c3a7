import { ConfigError } from '@predictq/config';

import { loadWorkerConfig } from './config';

const problems = (env: Record<string, string>) => {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
};

describe('the worker configuration of a retrained candidate’s rollout', () => {
  it('is a canary with the API’s defaults unless told otherwise', () => {
    const config = loadWorkerConfig({});
    expect(config.RETRAIN_ROLLOUT).toBe('canary');
    expect(config.RETRAIN_ROLLOUT_POLICY).toEqual({});
    const set = loadWorkerConfig({
      RETRAIN_ROLLOUT: 'shadow_then_canary',
      RETRAIN_ROLLOUT_POLICY: '{"share":0.1,"guards":{"max_error_rate":0.01}}',
    });
    expect(set.RETRAIN_ROLLOUT).toBe('shadow_then_canary');
    expect(set.RETRAIN_ROLLOUT_POLICY).toEqual({ share: 0.1, guards: { max_error_rate: 0.01 } });
  });

  it('names the variable and the setting that is wrong', () => {
    expect(problems({ RETRAIN_ROLLOUT: 'blue-green' }).map((p) => p.variable)).toEqual([
      'RETRAIN_ROLLOUT',
    ]);
    expect(problems({ RETRAIN_ROLLOUT_POLICY: '{share:1}' })).toEqual([
      { variable: 'RETRAIN_ROLLOUT_POLICY', reason: expect.stringMatching(/not JSON/) },
    ]);
    expect(problems({ RETRAIN_ROLLOUT_POLICY: '{"min_feedback":5}' })).toEqual([
      { variable: 'RETRAIN_ROLLOUT_POLICY', reason: expect.stringMatching(/^min_feedback: /) },
    ]);
    expect(problems({ RETRAIN_ROLLOUT_POLICY: '{"mode":"shadow"}' })).toEqual([
      { variable: 'RETRAIN_ROLLOUT_POLICY', reason: expect.stringMatching(/RETRAIN_ROLLOUT/) },
    ]);
  });
});
