export * from './api.schemas';
export * from './model.schemas';
export * from './client.schemas';
export * from './drift.schemas';
export * from './operation';
export * from './operations';
export * from './operation-types';
export * from './rollout.schemas';
