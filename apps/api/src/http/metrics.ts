// HTTP metrics: every answered request by method, route template and status, and its duration.
import type { RequestHandler } from 'express';
import type { ApiMetrics } from '@predictq/metrics';

import { routeTemplate } from './request-context';

export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const labels = {
        method: req.method,
        route: routeTemplate(req),
        status: String(res.statusCode),
      };
      metrics.httpRequests.inc(labels);
      stop(labels);
    });
    next();
  };
}
