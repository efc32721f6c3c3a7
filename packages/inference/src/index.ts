export * from './catalogue-cache';
export * from './inference-pipeline';
export * from './micro-batcher';
export * from './model-loader';
export * from './model-pool';
export * from './ranker';
