export * from './api-key';
export * from './client-admin';
export * from './key-authenticator';
