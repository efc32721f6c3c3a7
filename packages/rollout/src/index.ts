export * from './rollout-decider';
export * from './rollout-lifecycle';
export * from './rollout-policy';
export * from './sequential-test';
export * from './wilson';
export * from './retrain-rollout';
