export * from './candidates';
export * from './location';
export * from './prediction';
export * from './segment';
export * from './traveller-request';
