export * from './send-webhook';
export * from './sign';
export * from './target-guard';
