export * from './candidates';
export * from './location';
export * from './model-traffic';
export * from './prediction';
export * from './segment';
export * from './training';
export * from './traveller-request';
export * from './batch';
