export * from './baseline';
export * from './ensure-platform';
