export * from './run-training';
export * from './train-in-thread';
export * from './training-params';
export * from './recover-training-runs';
