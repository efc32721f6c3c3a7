export * from './api.schemas';
export * from './model.schemas';
