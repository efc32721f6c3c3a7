export * from './candidates';
export * from './location';
export * from './prediction';
export * from './traveller-request';
