// GET /v1/predictions (the caller's, or every client's for the operator) and
// POST /v1/predictions/{id}/cancel.
import { listPredictions, type ListCursor } from '@predictq/db';
import { cancelByCaller, type PredictionDeps, readPrediction } from '@predictq/predictions';

import { callingClient } from '../http/client-auth';
import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import type { ModelVersions } from '../model-versions';
import { presentPrediction, presentSummary } from '../presenters';

/** The cursor is opaque to clients: base64url of the position where the page ended. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

export function decodeCursor(value: string): ListCursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      TIMESTAMP.test(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      UUID.test(parsed[1])
    ) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // reported below
  }
  throw new HttpError(400, 'invalid_request', 'the cursor is not one this API gave', [
    { field: 'query.cursor', message: 'must be the next_cursor of a previous page' },
  ]);
}

export function predictionListHandlers(
  deps: PredictionDeps & { modelVersions: ModelVersions },
): Handlers<'listPredictions' | 'cancelPrediction'> {
  return {
    listPredictions: async ({ query }, res) => {
      const operator = res.locals.operator === true;
      const page = await listPredictions(
        deps.db,
        {
          clientId: operator ? undefined : callingClient(res).clientId,
          statuses: query.status,
          createdAfter: query.created_after ? new Date(query.created_after) : undefined,
          createdBefore: query.created_before ? new Date(query.created_before) : undefined,
          modelVersion: query.model_version,
          idempotencyKey: query.idempotency_key,
          batchId: query.batch_id,
        },
        { limit: query.limit, after: query.cursor ? decodeCursor(query.cursor) : undefined },
      );
      res.json({
        predictions: page.predictions.map(presentSummary),
        next_cursor: page.next ? encodeCursor(page.next) : null,
      });
    },

    cancelPrediction: async ({ params: { id } }, res) => {
      const { clientId } = callingClient(res);
      const outcome = await cancelByCaller(deps, id, clientId);
      if (outcome.kind === 'not_found') throw notFound('prediction');
      if (outcome.kind === 'ended') {
        throw new HttpError(
          409,
          'prediction_ended',
          `the prediction already ended: ${outcome.status}`,
          [{ field: 'status', message: outcome.status }],
        );
      }
      const view = await readPrediction(deps.db, id, { clientId });
      if (!view) throw notFound('prediction');
      res.json(presentPrediction(view, await deps.modelVersions.of(view.prediction.model_id)));
    },
  };
}
