import { isDatabaseUnavailable, isDataError, isRowFault } from './errors';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    [
      'a server shutting down',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server starting up', pgError('57P03', 'the database system is starting up')],
    ['too many connections', pgError('53300', 'sorry, too many clients already')],
    ['a statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a client-side query timeout', new Error('Query read timeout')],
    ['a wrapped outage', new Error('insert failed', { cause: pgError('08006') })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a data error', pgError('22008', 'date/time field value out of range')],
    ['a unique violation', pgError('23505', 'duplicate key value')],
    ['a syntax error', pgError('42601', 'syntax error')],
    ['a plain error', new Error('boom')],
    ['nothing', undefined],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isDataError', () => {
  it('is true for SQLSTATE class 22 only', () => {
    expect(isDataError(pgError('22P05', 'unsupported Unicode escape sequence'))).toBe(true);
    expect(isDataError(pgError('22003', 'integer out of range'))).toBe(true);
    expect(isDataError(pgError('23505'))).toBe(false);
    expect(isDataError(new Error('22'))).toBe(false);
  });
});

describe('isRowFault', () => {
  it('is true for a data exception or an integrity violation, not for the server', () => {
    expect(isRowFault(pgError('22003', 'smallint out of range'))).toBe(true);
    expect(isRowFault(pgError('23503', 'violates foreign key constraint'))).toBe(true);
    expect(isRowFault(pgError('57P01', 'terminating connection'))).toBe(false);
    expect(isRowFault(pgError('ECONNREFUSED'))).toBe(false);
    expect(isRowFault(undefined)).toBe(false);
  });
});
