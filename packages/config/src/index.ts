export * from './common';
export * from './env';
export * from './drift';
