// The gate of the operator's pages: the token as a bearer token or as the Basic-auth password of
// the user admin; a Basic challenge otherwise; closed without a token, open only when allowed.
import type { Request, Response } from 'express';

import { adminMode, requireOperatorPage } from './admin';
import type { HttpError } from './errors';

const TOKEN = 'operator-token-0123456789';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

function run(gate: ReturnType<typeof requireOperatorPage>, authorization?: string) {
  const headers: Record<string, string> = {};
  const req = { get: (name: string) => (name === 'authorization' ? authorization : undefined) };
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) };
  let outcome: HttpError | 'passed' | undefined;
  gate(req as unknown as Request, res as unknown as Response, (error?: unknown) => {
    outcome = error === undefined ? 'passed' : (error as HttpError);
  });
  return { outcome, headers };
}

describe('the operator page gate', () => {
  const gate = requireOperatorPage(TOKEN, adminMode(TOKEN, false));

  it.each([
    ['a bearer token', `Bearer ${TOKEN}`],
    ['the Basic-auth password of admin', basic(`admin:${TOKEN}`)],
  ])('passes %s', (_what, authorization) => {
    expect(run(gate, authorization).outcome).toBe('passed');
  });

  it.each([
    ['nothing', undefined],
    ['a wrong password', basic('admin:wrong')],
    ['another user', basic(`root:${TOKEN}`)],
    ['no colon', basic(`admin${TOKEN}`)],
    ['a wrong bearer token', 'Bearer wrong'],
    ['the token bare', TOKEN],
  ])('refuses %s with a Basic challenge', (_what, authorization) => {
    const { outcome, headers } = run(gate, authorization);
    expect(outcome).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(headers['WWW-Authenticate']).toMatch(/^Basic realm="predictq operator"/);
  });

  it('is closed without a token, and open only with ALLOW_OPEN_ADMIN', () => {
    const closed = requireOperatorPage(undefined, adminMode(undefined, false));
    expect(run(closed, basic('admin:')).outcome).toMatchObject({ status: 401 });
    const open = requireOperatorPage(undefined, adminMode(undefined, true));
    expect(run(open).outcome).toBe('passed');
  });
});
