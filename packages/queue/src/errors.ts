// What a Redis failure means for the caller: an unavailable Redis (down, restarting, too slow to
// answer within REDIS_COMMAND_TIMEOUT_MS, or out of memory with noeviction) is an outage that
// passes, never a fault of the job or request that met it.

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages of ioredis and BullMQ (and Redis replies) that mean the server is not serving. */
const OUTAGE_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'Command timed out',
  'Reached the max retries per request limit',
  'LOADING',
  'MASTERDOWN',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'OOM command not allowed',
  'Socket timeout',
];

interface RedisLikeError {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  cause?: unknown;
}

/** True for a failure caused by Redis being unavailable. */
export function isRedisUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, name, cause } = e as RedisLikeError;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && OUTAGE_MESSAGES.some((m) => message.includes(m))) {
      return true;
    }
    e = cause;
  }
  return false;
}
