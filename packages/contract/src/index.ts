export * from './api.schemas';
export * from './model.schemas';
export * from './client.schemas';
