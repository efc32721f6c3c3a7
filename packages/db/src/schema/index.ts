export * from './client.schema';
export * from './feedback.schema';
export * from './location.schema';
export * from './model.schema';
export * from './prediction.schema';
export * from './ranking.schema';
export * from './training-example.schema';
export * from './training.schema';
