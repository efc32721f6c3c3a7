export * from './backlog-sampler';
export * from './connection';
export * from './errors';
export * from './inference-queue';
export * from './job-triage';
export * from './jobs';
export * from './redis-epoch';
export * from './training-queue';
