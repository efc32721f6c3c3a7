export * from './crash-handlers';
export * from './failpoints';
export * from './heap-growth';
export * from './shutdown';
