export * from './client';
export * from './feedback.repository';
export * from './location.repository';
export * from './model.repository';
export * from './prediction-events';
export * from './prediction.repository';
export { PREDICTION_ENDED_CHANNEL } from './prepared';
export * from './schema';
export * from './training.repository';
