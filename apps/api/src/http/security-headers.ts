// Security headers, in one place. The API answers JSON only, so nothing may load from anywhere;
// the /docs page (a later issue) will need its own policy here.
//
// helmet decides the headers; with these options they are the same for every request, so helmet
// runs once at start against a recording response and each request then sets the recorded list
// (one middleware instead of helmet's dozen nested ones: about 3% of the API's CPU under load).
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

const policy = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });

/** The headers helmet sets and removes, recorded from one run of its middleware. */
export function recordHeaders(middleware: RequestHandler): {
  set: [string, string][];
  removed: string[];
} {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name, Array.isArray(value) ? value.join(', ') : String(value));
      return response;
    },
    removeHeader(name: string) {
      set.delete(name);
      removed.push(name);
    },
  };
  let called = false;
  middleware({} as never, response as unknown as Response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed');
    called = true;
  });
  if (!called) throw new Error('the security headers middleware did not finish synchronously');
  return { set: [...set], removed };
}

/** The security headers every answer carries, as [name, value] pairs. */
export function securityHeaderList(): [string, string][] {
  return recordHeaders(policy()).set;
}

export function securityHeaders(): RequestHandler {
  const { set, removed } = recordHeaders(policy());
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
