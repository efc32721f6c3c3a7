// /docs: Swagger UI over /openapi.json, served from the swagger-ui-dist package's files (no CDN,
// nothing fetched from elsewhere at run time: the validator badge is off). The page and its
// assets get their own Content-Security-Policy: scripts and styles from this origin only (no
// inline script; Swagger UI sets inline styles), XHR to this origin.
import express, { type RequestHandler, type Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

import type { Handlers } from '../http/mount';

export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>predictq API</title>
    <link rel="icon" href="/docs/assets/favicon-32x32.png" />
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
  displayOperationId: true,
});
`;

const docsPolicy: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', DOCS_CSP);
  next();
};

/** The page's assets (outside the table of operations, like /metrics). */
export function docsAssets(): Router {
  const router = express.Router();
  router.get('/docs/init.js', docsPolicy, (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  router.use(
    '/docs/assets',
    docsPolicy,
    express.static(getAbsoluteFSPath(), { index: false, fallthrough: false, maxAge: '1h' }),
  );
  return router;
}

export function docsHandlers(): Handlers<'docs'> {
  return {
    docs: (_request, res) => {
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      res.type('html').send(PAGE);
    },
  };
}
