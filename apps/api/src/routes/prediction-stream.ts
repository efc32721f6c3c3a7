// GET /v1/predictions/{id}/stream (and GET /v1/predictions/{id} with Accept: text/event-stream):
// server-sent events, one per status. Each event's id is the step (1 queued, 2 processing,
// 3 ended), so a client resuming with Last-Event-ID gets what it missed: the current state is
// read on every (re)connect, and steps the prediction went through meanwhile are sent too. The
// terminal event carries the ranking and so marks it shown. Heartbeats keep proxies from closing
// an idle stream; a bound on open streams answers 503 past it.
import type { Request, Response } from 'express';
import type { PredictionBody } from '@predictq/contract';
import type { Db } from '@predictq/db';
import type { PredictionStatus } from '@predictq/domain';
import { errorMessage, type Logger } from '@predictq/logging';
import { readPrediction, type StatusWatchers } from '@predictq/predictions';

import { callingClient } from '../http/client-auth';
import { HttpError, notFound } from '../http/errors';
import type { ModelVersions } from '../model-versions';
import { presentPrediction } from '../presenters';

const STEP: Record<PredictionStatus, number> = {
  queued: 1,
  processing: 2,
  succeeded: 3,
  failed: 3,
  canceled: 3,
};

export interface StreamOptions {
  db: Db;
  watchers: StatusWatchers;
  modelVersions: ModelVersions;
  logger: Logger;
  maxStreams: number;
  heartbeatMs: number;
}

export class PredictionStreams {
  private readonly closers = new Set<() => void>();

  constructor(private readonly options: StreamOptions) {}

  /** Ends every open stream (shutdown): clients reconnect elsewhere with Last-Event-ID. */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  async open(req: Request, res: Response, id: string): Promise<void> {
    const { db, watchers, modelVersions, logger } = this.options;
    if (watchers.size >= this.options.maxStreams) {
      throw new HttpError(
        503,
        'too_many_streams',
        `this API process serves ${this.options.maxStreams} event streams at most (SSE_MAX_STREAMS); retry later or poll`,
      ).withRetryAfter(5);
    }
    const { clientId } = callingClient(res);
    const resumed = Number.parseInt(req.get('last-event-id') ?? '0', 10);
    let sent = Number.isFinite(resumed) ? resumed : 0;
    let reading = false;
    let again = false;
    let ended = false;

    const write = (step: number, body: PredictionBody) => {
      res.write(`id: ${step}\nevent: ${body.status}\ndata: ${JSON.stringify(body)}\n\n`);
      sent = step;
    };
    const publish = (body: PredictionBody) => {
      const step = STEP[body.status];
      if (step <= sent) return;
      // Steps skipped between two reads (or while the client was away) are sent as they were.
      if (sent < 1 && step > 1) {
        write(1, {
          ...body,
          status: 'queued',
          output: null,
          error: null,
          started_at: null,
          completed_at: null,
        });
      }
      if (sent < 2 && step > 2 && body.started_at !== null) {
        write(2, { ...body, status: 'processing', output: null, error: null, completed_at: null });
      }
      write(step, body);
    };

    const read = async () => {
      const view = await readPrediction(db, id, { clientId });
      if (!view) return undefined;
      return presentPrediction(view, await modelVersions.of(view.prediction.model_id));
    };

    // Watch before the first read, so that a change in between is not missed.
    const unwatch = watchers.watch(id, () => void refresh());
    const timers: { heartbeat?: NodeJS.Timeout } = {};
    const close = () => {
      if (ended) return;
      ended = true;
      unwatch();
      clearInterval(timers.heartbeat);
      this.closers.delete(close);
      res.end();
    };
    const refresh = async (): Promise<void> => {
      if (ended) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const body = await read();
          if (body && !ended) {
            publish(body);
            if (STEP[body.status] === 3) close();
          }
        } while (again && !ended);
      } catch (error) {
        logger.warn('event stream could not read its prediction', {
          predictionId: id,
          error: errorMessage(error),
        });
      } finally {
        reading = false;
      }
    };

    let first: PredictionBody | undefined;
    try {
      first = await read();
    } catch (error) {
      unwatch();
      throw error;
    }
    if (!first) {
      unwatch();
      throw notFound('prediction');
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.closers.add(close);
    res.on('close', close);
    timers.heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this.options.heartbeatMs);
    timers.heartbeat.unref();
    publish(first);
    if (STEP[first.status] === 3) close();
    else if (again) await refresh();
  }
}
