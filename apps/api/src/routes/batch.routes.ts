// The batch routes: submit (a CSV/TSV body, or a multipart file, read as a stream), list, read
// with progress, results (streamed, one row per input row), cancel.
import type { Readable } from 'node:stream';

import Busboy from 'busboy';
import type { Request, Response } from 'express';
import {
  acceptBatch,
  BatchFileError,
  BatchIdempotencyKeyReused,
  type BatchLimits,
  batchProgress,
  type BatchProgress,
  batchResults,
  BatchTooLarge,
  csvHeader,
  csvLines,
  describe,
  jsonLines,
} from '@predictq/batches';
import type { BatchBody } from '@predictq/contract';
import { type BatchRow, type Db, findBatch, listBatches } from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import type { BatchApiMetrics } from '@predictq/metrics';
import { cancelBatchPredictions } from '@predictq/predictions';

import { callingClient } from '../http/client-auth';
import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';

export interface BatchOptions {
  limits: BatchLimits;
  windowSize: number;
  topK: number;
  metrics: BatchApiMetrics;
}

function presentBatch(view: BatchProgress): BatchBody {
  const { batch } = view;
  return {
    id: batch.id,
    status: batch.status,
    format: batch.format as 'csv' | 'tsv',
    rows: {
      total: batch.row_count,
      accepted: batch.accepted_count,
      rejected: batch.rejected_count,
    },
    counts: view.counts,
    progress: view.progress,
    rows_per_second: view.rowsPerSecond,
    eta_seconds: view.etaSeconds,
    results_url: `/v1/batches/${batch.id}/results.csv`,
    created_at: batch.created_at.toISOString(),
    completed_at: batch.completed_at?.toISOString() ?? null,
    canceled_at: batch.canceled_at?.toISOString() ?? null,
  };
}

const formatOfType = (type: string): 'csv' | 'tsv' | undefined =>
  /tab-separated-values/.test(type) ? 'tsv' : /csv/.test(type) ? 'csv' : undefined;

/**
 * Throws the HTTP answer for an uploaded file that was refused: a malformed file is a 400 naming
 * each problem's column, one past the limits a 413. Returns for any other error.
 */
export function refuseBadFile(error: unknown): void {
  if (error instanceof BatchFileError) {
    throw new HttpError(
      400,
      'invalid_file',
      error.message,
      error.problems.map((p) => ({ field: p.column ?? '(file)', message: describe(p) })),
    );
  }
  if (error instanceof BatchTooLarge) {
    throw new HttpError(413, 'payload_too_large', error.message, [
      { field: '(file)', message: error.message },
    ]);
  }
}

/** The uploaded file: the body itself, or the first file of a multipart form. */
export function uploadOf(
  req: Request,
  maxBytes: number,
): Promise<{ body: Readable; format: 'csv' | 'tsv' | undefined }> {
  const type = (req.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('text/csv') || type.startsWith('text/tab-separated-values')) {
    return Promise.resolve({ body: req, format: formatOfType(type) });
  }
  if (!type.startsWith('multipart/form-data')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'a batch is text/csv, text/tab-separated-values, or multipart/form-data with a file',
    );
  }
  return new Promise((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1 } });
    } catch {
      reject(new HttpError(400, 'invalid_multipart', 'the multipart body has no boundary'));
      return;
    }
    let found = false;
    busboy.on('file', (_name, stream, info) => {
      if (found) {
        stream.resume();
        return;
      }
      found = true;
      const byName = /\.tsv$/i.test(info.filename ?? '')
        ? 'tsv'
        : /\.csv$/i.test(info.filename ?? '')
          ? 'csv'
          : undefined;
      resolve({ body: stream, format: byName ?? formatOfType(info.mimeType) });
    });
    busboy.on('error', () =>
      reject(new HttpError(400, 'invalid_multipart', 'the multipart body is malformed')),
    );
    busboy.on('close', () => {
      if (!found) {
        reject(
          new HttpError(400, 'missing_file', 'the multipart body has no file', [
            { field: 'file', message: 'required' },
          ]),
        );
      }
    });
    req.pipe(busboy);
  });
}

function encodeCursor(row: { position: string; id: string }): string {
  return Buffer.from(`${row.position}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!createdAt || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(Date.parse(createdAt))) {
    throw new HttpError(400, 'invalid_query', 'the cursor is not one this API gave', [
      { field: 'cursor', message: 'unknown cursor' },
    ]);
  }
  return { createdAt, id };
}

export function batchHandlers(
  deps: BatchOptions & { db: Db; logger: Logger },
): Handlers<'submitBatch' | 'listBatches' | 'getBatch' | 'getBatchResults' | 'cancelBatch'> {
  const { db } = deps;
  const present = async (batch: BatchRow) => presentBatch(await batchProgress(db, batch));
  const owned = async (id: string, res: Response) => {
    const batch = await findBatch(db, id, callingClient(res).clientId);
    if (!batch) throw notFound('batch');
    return batch;
  };
  return {
    submitBatch: async ({ headers }, res, req) => {
      const upload = await uploadOf(req, deps.limits.maxBytes);
      try {
        const { batch, created } = await acceptBatch(
          {
            db,
            limits: deps.limits,
            windowSize: deps.windowSize,
            onAnalyzeError: (error) =>
              deps.logger.warn('statistics not refreshed after a large batch', {
                error: errorMessage(error),
              }),
          },
          {
            ...upload,
            clientId: callingClient(res).clientId,
            idempotencyKey: headers['Idempotency-Key'],
          },
        );
        if (created) {
          deps.metrics.batchesSubmitted.inc();
          deps.metrics.batchRows.inc({ outcome: 'accepted' }, batch.accepted_count);
          deps.metrics.batchRows.inc({ outcome: 'rejected' }, batch.rejected_count);
          deps.logger.info('batch accepted', {
            batchId: batch.id,
            rows: batch.row_count,
            rejected: batch.rejected_count,
          });
        } else res.setHeader('Idempotent-Replayed', 'true');
        res
          .status(202)
          .location(`/v1/batches/${batch.id}`)
          .json(await present(batch));
      } catch (error) {
        // What is left of a refused upload is not read: close the connection after the answer.
        if (!req.complete) res.setHeader('Connection', 'close');
        refuseBadFile(error);
        if (error instanceof BatchIdempotencyKeyReused) {
          throw new HttpError(422, 'idempotency_key_reused', error.message, [
            { field: 'Idempotency-Key', message: `already used by batch ${error.batchId}` },
          ]);
        }
        throw error;
      }
    },

    listBatches: async ({ query }, res) => {
      const rows = await listBatches(db, {
        clientId: callingClient(res).clientId,
        limit: query.limit + 1,
        before: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        status: query.status,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      res.json({
        batches: await Promise.all(page.map(present)),
        next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      });
    },

    getBatch: async ({ params: { id } }, res) => {
      res.json(await present(await owned(id, res)));
    },

    getBatchResults: async ({ params: { id }, query: { format } }, res) => {
      const batch = await owned(id, res);
      res.status(200);
      res.type(format === 'jsonl' ? 'application/jsonl' : 'text/csv');
      if (format === 'csv') {
        res.setHeader('Content-Disposition', `attachment; filename="batch-${batch.id}.csv"`);
        res.write(csvHeader(deps.topK));
      }
      let aborted = false;
      res.on('close', () => (aborted = !res.writableFinished));
      for await (const page of batchResults(db, batch, deps.topK)) {
        if (aborted) return;
        const text = format === 'jsonl' ? jsonLines(page) : csvLines(page, deps.topK);
        if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    },

    cancelBatch: async ({ params: { id } }, res) => {
      const { clientId } = callingClient(res);
      const canceled = await cancelBatchPredictions(db, id, clientId);
      const batch = await owned(id, res);
      if (canceled === undefined) {
        throw new HttpError(409, 'batch_ended', `the batch is ${batch.status}: nothing to cancel`);
      }
      deps.logger.info('batch canceled', { batchId: id, canceled: canceled.length });
      res.json(await present(batch));
    },
  };
}
