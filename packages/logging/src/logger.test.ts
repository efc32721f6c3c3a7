import { PassThrough } from 'node:stream';

import { createLogger, withLogContext } from './logger';

function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines carrying the service, child scope and the async context', async () => {
    const out = capture();
    const logger = createLogger({ service: 'api', format: 'json', stream: out.stream });
    const child = logger.child({ scope: 'predictions' });
    await withLogContext({ requestId: 'r-1' }, async () => {
      await Promise.resolve();
      child.info('accepted', { predictionId: 'p-1' });
    });
    child.info('outside');
    await new Promise((r) => setImmediate(r));
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({
      service: 'api',
      scope: 'predictions',
      requestId: 'r-1',
      predictionId: 'p-1',
      message: 'accepted',
      level: 'info',
    });
    expect(outside).not.toHaveProperty('requestId');
  });

  it('drops lines below the configured level', async () => {
    const out = capture();
    const logger = createLogger({
      service: 'w',
      format: 'json',
      level: 'warn',
      stream: out.stream,
    });
    logger.info('hidden');
    logger.warn('shown');
    await new Promise((r) => setImmediate(r));
    expect(out.lines().map((l) => l.message)).toEqual(['shown']);
  });
});
