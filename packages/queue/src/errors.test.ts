import { isRedisUnavailable } from './errors';

describe('isRedisUnavailable', () => {
  it.each([
    ['a closed connection', new Error('Connection is closed.')],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['a command timeout', new Error('Command timed out')],
    [
      'no offline queue',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a full Redis', new Error("OOM command not allowed when used memory > 'maxmemory'.")],
    ['a loading Redis', new Error('LOADING Redis is loading the dataset in memory')],
    [
      'retries exhausted',
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
  ])('is true for %s', (_name, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it('is false for an ordinary failure', () => {
    expect(isRedisUnavailable(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(isRedisUnavailable(undefined)).toBe(false);
  });
});
