// /admin/queues: bull-board, the console BullMQ users expect, over the platform's queues (each
// with its retry, clean, promote actions: not read-only). The page itself is an operation of the
// contract's table (GET /admin/queues, behind the operator's page gate); bull-board's other routes
// (its JSON API, static files, and the client-side views that reload as the same page) sit under
// the same path behind the same gate, outside the table like the /docs assets.
//
// bull-board's page asks fonts.googleapis.com for its fonts: the page is sent without that link
// (nothing loads from elsewhere; the UI falls back to the system's sans-serif), under its own
// Content-Security-Policy: scripts, styles, fonts and XHR from this origin only, inline styles
// (its loading placeholder), and <base href> to this origin (it resolves its assets from it).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';

import { notFound } from '../http/errors';
import type { Handlers } from '../http/mount';

export const QUEUE_CONSOLE_PATH = '/admin/queues';

export const QUEUE_CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The stylesheet link of bull-board's page that would load Google Fonts. */
const OUTSIDE_FONTS = /<link[^>]+href="https:\/\/fonts\.googleapis\.com[^>]*>\s*/g;

const consolePolicy: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', QUEUE_CONSOLE_CSP);
  next();
};

/** bull-board renders its page with res.render: this sends it without the outside fonts. */
const withoutOutsideFonts: RequestHandler = (_req, res, next) => {
  const render = res.render.bind(res);
  res.render = (view: string, options?: object) => {
    render(view, options ?? {}, (error: Error | null, html?: string) => {
      if (error) return next(error);
      res.type('html').send((html ?? '').replace(OUTSIDE_FONTS, ''));
    });
  };
  next();
};

/** A BullMQ queue, as bull-board takes it. */
export type ConsoleQueue = ConstructorParameters<typeof BullMQAdapter>[0];

export interface QueueConsole {
  /** bull-board's routes under /admin/queues, behind `gate` (mount after the table's routes). */
  routes: Router;
  handlers: Handlers<'queueConsole'>;
}

export function queueConsole(queues: readonly ConsoleQueue[], gate: RequestHandler): QueueConsole {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_CONSOLE_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'predictq queues' } },
  });
  const board = adapter.getRouter() as express.Express;
  board.disable('x-powered-by');
  const page = express.Router();
  page.use(QUEUE_CONSOLE_PATH, consolePolicy, withoutOutsideFonts, board);
  const routes = express.Router();
  routes.use(QUEUE_CONSOLE_PATH, gate, consolePolicy, withoutOutsideFonts, board);
  return {
    routes,
    handlers: {
      // The table's gate has run: bull-board renders its page for this path.
      queueConsole: (_request, res: Response, req: Request) =>
        new Promise<void>((resolve, reject) => {
          res.once('finish', resolve);
          res.once('close', resolve);
          page(req, res, (error?: unknown) => {
            reject(error instanceof Error ? error : notFound('queue console page'));
          });
        }),
    },
  };
}
