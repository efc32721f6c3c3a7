export * from './api.schemas';
export * from './batch.schemas';
export * from './model.schemas';
export * from './client.schemas';
export * from './operation';
export * from './operations';
export * from './operation-types';
