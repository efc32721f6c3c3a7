// What a PostgreSQL failure means for the caller. An outage (the server is down, restarting,
// out of connections, or too slow to answer within the deadlines) is nobody's fault and passes;
// a data error (SQLSTATE class 22) is the input's fault and never succeeds on a retry.

/** Network errors of a connection that never reached, or lost, the server. */
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

/**
 * SQLSTATEs of an unavailable or overloaded server: class 08 (connection exception), 53
 * (insufficient resources: too many connections, out of memory, disk full), 57P01-57P03 (admin
 * or crash shutdown, cannot connect now), 57014 (canceled: our statement_timeout), and the
 * transaction conflicts a retry resolves (40001 serialization failure, 40P01 deadlock).
 */
function isOutageState(state: string): boolean {
  return (
    state.startsWith('08') ||
    state.startsWith('53') ||
    state === '57P01' ||
    state === '57P02' ||
    state === '57P03' ||
    state === '57014' ||
    state === '40001' ||
    state === '40P01'
  );
}

/** Messages of node-postgres for a lost connection, a pool timeout or a client-side timeout. */
const OUTAGE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'connection timeout',
  'Client was closed and is not queryable',
];

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** True for a failure caused by PostgreSQL being unavailable, not by what was asked of it. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as PgLikeError;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || isOutageState(code))) return true;
    if (typeof message === 'string' && OUTAGE_MESSAGES.some((m) => message.includes(m))) {
      return true;
    }
    e = cause;
  }
  return false;
}

/** True for a PostgreSQL data exception (SQLSTATE class 22): the values given were invalid. */
export function isDataError(error: unknown): boolean {
  const code = (error as PgLikeError | undefined)?.code;
  return typeof code === 'string' && code.length === 5 && code.startsWith('22');
}

/**
 * True when a statement failed for the values it was given: a data exception (class 22) or an
 * integrity violation (class 23), never the database's own state.
 */
export function isRowFault(error: unknown): boolean {
  const code = (error as PgLikeError | undefined)?.code;
  return (
    isDataError(error) || (typeof code === 'string' && code.length === 5 && code.startsWith('23'))
  );
}
