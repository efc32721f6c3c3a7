export * from './completion-waiter';
export * from './prediction-lifecycle';
export * from './read-prediction';
export * from './recover-unfinished';
export * from './submit-prediction';
export * from './batch-transitions';
