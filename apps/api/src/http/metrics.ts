// HTTP metrics: every answered request by method, route template and status, and its duration.
import type { RequestHandler } from 'express';
import type { ApiMetrics } from '@predictq/metrics';

import { routeTemplate } from './request-context';

/** Counts one answered request, and its duration from `started` (the histogram's timer). */
export function countAnswer(
  metrics: ApiMetrics,
  started: ReturnType<ApiMetrics['httpDuration']['startTimer']>,
  labels: { method: string; route: string; status: string },
): void {
  metrics.httpRequests.inc(labels);
  started(labels);
}

export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const started = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      countAnswer(metrics, started, {
        method: req.method,
        route: routeTemplate(req),
        status: String(res.statusCode),
      });
    });
    next();
  };
}
