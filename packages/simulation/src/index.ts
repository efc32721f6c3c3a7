export * from './catalogue';
export * from './dataset';
export * from './dataset-tsv';
export * from './labeller';
export * from './profiles';
export { roundToCents } from './round';
export * from './travellers';
export { TsvError, type TsvProblem } from './tsv';
