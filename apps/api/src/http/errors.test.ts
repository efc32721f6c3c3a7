import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';

import express from 'express';
import { createLogger } from '@predictq/logging';
import { createApiMetrics } from '@predictq/metrics';
import { Registry } from 'prom-client';

import { overloaded } from './admission';
import { CompatTaskFailed, errorHandler } from './errors';
import { requestContext } from './request-context';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** The error middleware behind a route that throws `error`; the answer's status, body, headers. */
async function answerTo(error: unknown, logLines: string[] = []) {
  const stream = new PassThrough();
  stream.on('data', (line: Buffer) => logLines.push(line.toString('utf8')));
  const logger = createLogger({ service: 'test', level: 'warn', format: 'json', stream });
  const app = express();
  app.use(requestContext(logger));
  app.get('/', () => {
    throw error;
  });
  app.use(errorHandler(logger, createApiMetrics(new Registry())));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const body = (await response.json()) as { error: { code: string } };
    return { status: response.status, body, headers: response.headers };
  } finally {
    server.close();
  }
}

describe('the error middleware', () => {
  it('answers a PostgreSQL data error (class 22) with 400, without the driver message', async () => {
    const answer = await answerTo(pgError('22008', 'date/time field value out of range: "x"'));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_value');
    expect(JSON.stringify(answer.body)).not.toMatch(/date\/time/);
  });

  it('answers an unavailable database with 503 and Retry-After', async () => {
    const answer = await answerTo(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'));
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('database_unavailable');
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|5432/);
  });

  it("renders the compatible failed task as the original system's body", async () => {
    const answer = await answerTo(new CompatTaskFailed('boom'));
    expect(answer).toMatchObject({ status: 500, body: { detail: 'Task failed' } });
  });

  it('keeps an unknown failure a 500 that says nothing of it, and logs it', async () => {
    const lines: string[] = [];
    const answer = await answerTo(new Error('secret detail'), lines);
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toMatch(/secret/);
    const logged = lines.map((line) => JSON.parse(line) as { level: string; message: string });
    expect(logged.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'error unhandled error',
      'warn request',
    ]);
  });

  it('sheds load quietly: an overload refusal writes no warning or error line', async () => {
    const lines: string[] = [];
    const answer = await answerTo(
      overloaded('2000 predictions are waiting (limit 2000)', 3),
      lines,
    );
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(answer.body.error.code).toBe('overloaded');
    expect(lines).toEqual([]);
  });
});
