export * from './drift-baseline';
export * from './drift-monitor';
export * from './measure-drift';
export * from './retrain-policy';
export * from './retrain-policy-runner';
