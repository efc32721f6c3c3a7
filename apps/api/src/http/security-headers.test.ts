import type http from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { type RequestHandler } from 'express';
import helmet from 'helmet';

import { securityHeaders } from './security-headers';

async function headersOf(middleware: RequestHandler): Promise<http.IncomingHttpHeaders> {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => res.json({}));
  const server = app.listen(0);
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/`);
    const headers = Object.fromEntries(answer.headers);
    delete headers.date;
    return headers;
  } finally {
    server.close();
  }
}

describe('securityHeaders', () => {
  it('sets exactly the headers helmet sets with the same policy', async () => {
    const reference = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
    const expected = await headersOf(reference);
    expect(expected['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(expected['x-powered-by']).toBeUndefined();
    expect(await headersOf(securityHeaders())).toEqual(expected);
  });
});
