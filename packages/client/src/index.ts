export * from './client';
export { ApiError, NetworkError, parseRetryAfter } from './errors';
export {
  backoffDelay,
  isRetryable,
  retryDelay,
  type Replay,
  type RetryEvent,
  type RetryOptions,
} from './retry';
