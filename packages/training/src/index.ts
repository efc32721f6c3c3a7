export * from './offline-evaluation';
export * from './promotion-rule';
export * from './recency-weights';
export * from './recover-training-runs';
export * from './run-training';
export * from './train-in-thread';
export * from './training-params';
export * from './training-result.schema';
