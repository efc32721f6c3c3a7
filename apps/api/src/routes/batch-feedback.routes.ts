// POST /v1/batches/{id}/feedback: feedback on a batch's rows as a CSV (or TSV, or a multipart
// file) of (prediction_id or row, location_id), with the per-prediction rules.
import { type BatchLimits, recordBatchFeedbackFile } from '@predictq/batches';
import { type Db, findBatch } from '@predictq/db';
import type { Logger } from '@predictq/logging';
import type { ApiMetrics } from '@predictq/metrics';

import { callingClient } from '../http/client-auth';
import { notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import type { ModelVersions } from '../model-versions';
import { refuseBadFile, uploadOf } from './batch.routes';

export function batchFeedbackHandlers(deps: {
  db: Db;
  logger: Logger;
  limits: BatchLimits;
  metrics: ApiMetrics;
  modelVersions: ModelVersions;
}): Handlers<'sendBatchFeedback'> {
  return {
    sendBatchFeedback: async ({ params: { id } }, res, req) => {
      const batch = await findBatch(deps.db, id, callingClient(res).clientId);
      if (!batch) {
        res.setHeader('Connection', 'close');
        throw notFound('batch');
      }
      const upload = await uploadOf(req, deps.limits.maxBytes);
      try {
        const report = await recordBatchFeedbackFile(
          { db: deps.db, limits: deps.limits },
          batch.id,
          upload,
        );
        for (const { outcome, modelId } of report.outcomes) {
          deps.metrics.feedback.inc({
            outcome,
            model_version: String(await deps.modelVersions.of(modelId)),
          });
        }
        deps.logger.info('batch feedback', {
          batchId: batch.id,
          rows: report.rows,
          recorded: report.recorded,
          rejected: report.rejected,
        });
        res.json({
          batch_id: batch.id,
          rows: { total: report.rows, recorded: report.recorded, rejected: report.rejected },
          errors: report.errors,
        });
      } catch (error) {
        if (!req.complete) res.setHeader('Connection', 'close');
        refuseBadFile(error);
        throw error;
      }
    },
  };
}
