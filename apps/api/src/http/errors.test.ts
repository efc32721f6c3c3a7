import type { AddressInfo } from 'node:net';

import express from 'express';
import { createLogger } from '@predictq/logging';
import { createApiMetrics } from '@predictq/metrics';
import { Registry } from 'prom-client';

import { CompatTaskFailed, errorHandler } from './errors';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** The error middleware behind a route that throws `error`; the answer's status, body, headers. */
async function answerTo(error: unknown) {
  const app = express();
  app.get('/', () => {
    throw error;
  });
  app.use(
    errorHandler(
      createLogger({ service: 'test', level: 'error', format: 'json' }),
      createApiMetrics(new Registry()),
    ),
  );
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

  it('keeps an unknown failure a 500 that says nothing of it', async () => {
    const answer = await answerTo(new Error('secret detail'));
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toMatch(/secret/);
  });
});
