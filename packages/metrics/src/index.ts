export * from './api.metrics';
export * from './buckets';
export * from './catalogue';
export * from './registry';
export * from './worker.metrics';
export * from './drift.metrics';
export * from './batch.metrics';
