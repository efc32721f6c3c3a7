export * from './crash-handlers';
export * from './failpoints';
export * from './shutdown';
