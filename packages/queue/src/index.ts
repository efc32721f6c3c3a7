export * from './connection';
export * from './inference-queue';
export * from './jobs';
export * from './training-queue';
export * from './errors';
export * from './backlog-sampler';
