export * from './accept-batch';
export * from './batch-errors';
export * from './batch-feeder';
export * from './batch-progress';
export * from './batch-results';
export * from './batch-row';
export * from './batch-feedback';
