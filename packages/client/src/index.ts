export * from './client';
export { ApiError, NetworkError } from './errors';
export {
  backoffDelay,
  isRetryable,
  type Replay,
  type RetryEvent,
  type RetryOptions,
} from './retry';
