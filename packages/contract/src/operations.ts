// Every HTTP operation of the API, declared once. The API mounts a handler per id (validating
// params, query, headers and body with these schemas), /openapi.json is generated from this
// table, the typed client builds its calls from it, and a test holds the router to it.
import { EXAMPLE_TRAVELLER_REQUEST } from '@predictq/domain';
import { z } from 'zod';

import {
  acceptedSchema,
  compatLocationListSchema,
  compatLocationSchema,
  compatResultListSchema,
  compatSelectBody,
  compatSelectionResultSchema,
  compatStartBody,
  compatTaskFailedSchema,
  compatTaskSchema,
  contentInfoSchema,
  createPredictionBody,
  errorSchema,
  feedbackBody,
  feedbackSchema,
  IDEMPOTENCY_KEY,
  locationListSchema,
  locationSchema,
  durationSeconds,
  listQuery,
  predictionListSchema,
  predictionSchema,
  preferHeader,
  readinessSchema,
  resultsQuery,
  waitQuery,
  webhookDeliveryListSchema,
  webhookDeliverySchema,
} from './api.schemas';
import {
  batchFeedbackReportSchema,
  batchListQuery,
  batchListSchema,
  batchResultRowSchema,
  batchResultsQuery,
  batchSchema,
} from './batch.schemas';
import {
  apiKeySchema,
  clientCreatedSchema,
  clientListSchema,
  clientSchema,
  createClientBody,
  issuedKeySchema,
  updateClientBody,
  webhookSecretBody,
  webhookSecretRemoveQuery,
  webhookSecretSchema,
} from './client.schemas';
import { driftSchema } from './drift.schemas';
import {
  modelListSchema,
  modelSchema,
  qualityQuery,
  qualitySchema,
  trafficBody,
  trafficSchema,
  trainingAcceptedSchema,
  trainingRequestBody,
  trainingRunSchema,
  uploadBody,
} from './model.schemas';
import { intParam, type Operation, operation, uuidParam } from './operation';
import { rolloutListSchema, rolloutRequestBody, rolloutSchema } from './rollout.schemas';

const EXAMPLE_ID = '6e6e3af3-aaff-4fef-9ffb-f079cf4a8f60';

const error = (description: string) => ({ description, schema: errorSchema });

const compatFailed = {
  description: 'The task failed: {"detail": "Task failed"}, as the original',
  schema: compatTaskFailedSchema,
};

const predictionId = z.object({ id: uuidParam('prediction') });
const taskId = z.object({ task_id: uuidParam('task') });
const modelId = z.object({ id: uuidParam('model') });
const clientId = z.object({ id: uuidParam('client') });

export const OPERATIONS = {
  // ---- v1 predictions ---------------------------------------------------------------------
  submitPrediction: operation({
    method: 'post',
    path: '/v1/predictions',
    summary: 'Submit a traveller request for ranking, with its options (webhook, deadline)',
    auth: 'client',
    submission: true,
    headers: z.object({
      'Idempotency-Key': z
        .string()
        .regex(IDEMPOTENCY_KEY, 'must be 1 to 255 visible ASCII characters')
        .optional()
        .meta({
          description:
            'The same key returns the same prediction and never a second job; with another body or other options it is a 422.',
        }),
      'Cancel-After': durationSeconds.optional().meta({
        description:
          'Deadline, as cancel_after (e.g. 30s); the body field wins when both are given.',
      }),
      Prefer: preferHeader,
    }),
    body: { schema: createPredictionBody },
    responses: {
      200: {
        description: 'Prefer: wait, and the prediction ended in time: the finished prediction',
        schema: predictionSchema,
        headers: { 'Preference-Applied': 'wait=N, when the wait was honoured' },
      },
      202: {
        description: 'Accepted; poll the Location header',
        schema: acceptedSchema,
        headers: {
          Location: 'Where to poll the prediction',
          'Preference-Applied': 'wait=N, when the wait was honoured (and ran out)',
        },
      },
      400: error('Invalid body (each broken field in details), or header'),
      413: error('Body too large'),
      415: error('Body is not JSON'),
      422: error(
        'Idempotency-Key reused with another body or other options, or a webhook target that is refused (private address)',
      ),
    },
    example: {
      body: { ...EXAMPLE_TRAVELLER_REQUEST, webhook: 'https://example.com/hooks/predictq' },
    },
  }),
  listPredictions: operation({
    method: 'get',
    path: '/v1/predictions',
    summary: "The caller's predictions, newest first, without rankings (the operator sees all)",
    auth: 'client',
    operatorView: true,
    query: listQuery,
    responses: {
      200: { description: 'A page, and the cursor of the next one', schema: predictionListSchema },
      400: error('Invalid filter, limit or cursor'),
    },
    example: { query: { limit: 20, status: 'succeeded' } },
  }),
  getPrediction: operation({
    method: 'get',
    path: '/v1/predictions/{id}',
    summary:
      'Read a prediction; a succeeded one marks its ranking as shown. Accept: text/event-stream streams it',
    auth: 'client',
    params: predictionId,
    query: waitQuery,
    headers: z.object({ Prefer: preferHeader }),
    responses: {
      200: {
        description: 'The prediction',
        schema: predictionSchema,
        headers: { 'Preference-Applied': 'wait=N, when Prefer: wait was honoured' },
      },
      400: error('Invalid wait'),
      404: error('Unknown prediction'),
    },
    example: { params: { id: EXAMPLE_ID }, query: { wait: 10 } },
  }),
  cancelPrediction: operation({
    method: 'post',
    path: '/v1/predictions/{id}/cancel',
    summary: 'Cancel a queued or processing prediction',
    auth: 'client',
    params: predictionId,
    responses: {
      200: { description: 'Canceled', schema: predictionSchema },
      404: error('Unknown prediction'),
      409: error('The prediction had already ended (its status in the message)'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  streamPrediction: operation({
    method: 'get',
    path: '/v1/predictions/{id}/stream',
    summary:
      'Server-sent events: one per status (queued, processing, then the terminal one, with the ranking); resumes after Last-Event-ID',
    auth: 'client',
    params: predictionId,
    responses: {
      200: {
        description:
          'An event stream; each event is named after the status, its data is the prediction, its id the step (1 queued, 2 processing, 3 ended); comments are heartbeats',
        contentType: 'text/event-stream',
      },
      404: error('Unknown prediction'),
      503: error('Too many open streams in this process (SSE_MAX_STREAMS); Retry-After'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  listWebhookDeliveries: operation({
    method: 'get',
    path: '/v1/predictions/{id}/webhooks',
    summary: "The prediction's webhook deliveries: attempts, status codes, timings",
    auth: 'client',
    params: predictionId,
    responses: {
      200: { description: 'The delivery log', schema: webhookDeliveryListSchema },
      404: error('Unknown prediction'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  redeliverWebhook: operation({
    method: 'post',
    path: '/v1/predictions/{id}/webhooks/{delivery}/redeliver',
    summary: 'Send a delivery again (the same webhook-id)',
    auth: 'client',
    params: z.object({ id: uuidParam('prediction'), delivery: uuidParam('delivery') }),
    responses: {
      202: { description: 'Queued again', schema: webhookDeliverySchema },
      404: error('Unknown prediction or delivery'),
    },
    example: { params: { id: EXAMPLE_ID, delivery: EXAMPLE_ID } },
  }),
  sendFeedback: operation({
    method: 'post',
    path: '/v1/predictions/{id}/feedback',
    summary: 'Report the stay the group chose, or null when none fitted',
    auth: 'client',
    params: predictionId,
    body: { schema: feedbackBody },
    responses: {
      201: { description: 'Recorded', schema: feedbackSchema },
      400: error('Invalid body'),
      404: error('Unknown prediction'),
      409: error('Feedback already given, or the prediction has not succeeded'),
      422: error('The location was not among the returned stays'),
    },
    example: { params: { id: EXAMPLE_ID }, body: { location_id: 151 } },
  }),

  // ---- batches ----------------------------------------------------------------------------
  submitBatch: operation({
    method: 'post',
    path: '/v1/batches',
    summary:
      'Submit a batch: a CSV (or TSV) of traveller requests, as the body or a multipart file',
    auth: 'client',
    headers: z.object({
      'Idempotency-Key': z
        .string()
        .regex(IDEMPOTENCY_KEY, 'must be 1 to 255 visible ASCII characters')
        .optional()
        .meta({ description: 'The same key and file return the same batch.' }),
    }),
    rawBody: {
      'text/csv': z.string().meta({
        description:
          'A header row naming the request fields (people_age: ages separated by spaces, ";" or a quoted ","; booleans true/false or 1/0), optionally profile and request_id, then one request per row',
      }),
      'text/tab-separated-values': z.string().meta({ description: 'The same, tab-separated' }),
      'multipart/form-data': z.object({
        file: z.string().meta({ format: 'binary', description: 'The CSV or TSV file' }),
      }),
    },
    responses: {
      202: {
        description:
          'Accepted (every row stored: valid rows as predictions, invalid ones with their errors)',
        schema: batchSchema,
        headers: { Location: 'The batch' },
      },
      400: error(
        'Not a table of requests: a missing or unknown column, a broken quote (row and column named)',
      ),
      413: error('The file is past BATCH_MAX_BYTES or BATCH_MAX_ROWS: nothing stored'),
      415: error('Neither CSV, TSV nor multipart/form-data'),
      422: error('Idempotency-Key reused with another file'),
    },
  }),
  listBatches: operation({
    method: 'get',
    path: '/v1/batches',
    summary: "The caller's batches, newest first (cursor pagination)",
    auth: 'client',
    query: batchListQuery,
    responses: {
      200: { description: 'A page of batches', schema: batchListSchema },
      400: error('Invalid query'),
    },
    example: { query: { limit: 20 } },
  }),
  getBatch: operation({
    method: 'get',
    path: '/v1/batches/{id}',
    summary: 'A batch: counts by status, progress, rate, ETA, timestamps',
    auth: 'client',
    params: z.object({ id: uuidParam('batch') }),
    responses: {
      200: { description: 'The batch', schema: batchSchema },
      404: error('Unknown batch'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  getBatchResults: operation({
    method: 'get',
    path: '/v1/batches/{id}/results.csv',
    summary:
      'The results: one row per input row, in input order (streamed); marks the rankings shown',
    auth: 'client',
    params: z.object({ id: uuidParam('batch') }),
    query: batchResultsQuery,
    responses: {
      200: {
        description:
          'CSV: row, request_id, prediction_id, status, model_version, error, location_1, score_1, ... location_K, score_K; or JSON Lines with ?format=jsonl',
        content: {
          'text/csv': z.string(),
          'application/jsonl': batchResultRowSchema,
        },
      },
      400: error('Invalid format'),
      404: error('Unknown batch'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  cancelBatch: operation({
    method: 'post',
    path: '/v1/batches/{id}/cancel',
    summary: 'Cancel a batch: its queued predictions end canceled',
    auth: 'client',
    params: z.object({ id: uuidParam('batch') }),
    responses: {
      200: { description: 'The batch, canceled', schema: batchSchema },
      404: error('Unknown batch'),
      409: error('The batch has already ended'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),

  sendBatchFeedback: operation({
    method: 'post',
    path: '/v1/batches/{id}/feedback',
    summary: "Feedback on a batch's rows: a CSV of (prediction_id or row, location_id)",
    auth: 'client',
    params: z.object({ id: uuidParam('batch') }),
    rawBody: {
      'text/csv': z.string().meta({
        description:
          'A header naming location_id and prediction_id or row (other columns ignored), then one feedback per line: location_id is a shown stay, or none (or empty) when none fitted',
      }),
      'text/tab-separated-values': z.string().meta({ description: 'The same, tab-separated' }),
      'multipart/form-data': z.object({
        file: z.string().meta({ format: 'binary', description: 'The CSV or TSV file' }),
      }),
    },
    responses: {
      200: {
        description:
          'Every line either recorded or reported (row, field, reason): the same rules as the per-prediction feedback',
        schema: batchFeedbackReportSchema,
      },
      400: error('Not a table: a missing column (location_id, prediction_id or row) or no header'),
      404: error('Unknown batch'),
      413: error(
        'Past BATCH_MAX_BYTES or BATCH_MAX_ROWS (the lines before the limit stay recorded)',
      ),
      415: error('Neither CSV, TSV nor multipart/form-data'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),

  // ---- the catalogue ----------------------------------------------------------------------
  listLocations: operation({
    method: 'get',
    path: '/v1/locations',
    summary: 'The catalogue',
    auth: 'client',
    responses: { 200: { description: 'Every stay', schema: locationListSchema } },
  }),
  getLocation: operation({
    method: 'get',
    path: '/v1/locations/{id}',
    summary: 'One stay',
    auth: 'client',
    params: z.object({ id: intParam('location') }),
    responses: {
      200: { description: 'The stay', schema: locationSchema },
      404: error('Unknown location'),
    },
    example: { params: { id: 7 } },
  }),

  // ---- the model registry and training -------------------------------------------------------
  listModels: operation({
    method: 'get',
    path: '/v1/models',
    summary: 'The model registry',
    auth: 'client',
    responses: { 200: { description: 'Every model', schema: modelListSchema } },
  }),
  uploadModel: operation({
    method: 'post',
    path: '/v1/models',
    summary: 'Upload an external ONNX model with its manifest (a candidate)',
    auth: 'operator',
    body: { schema: uploadBody, upload: true },
    responses: {
      200: { description: 'The same bytes were registered before', schema: modelSchema },
      201: {
        description: 'Registered',
        schema: modelSchema,
        headers: { Location: 'The model' },
      },
      400: error('Invalid body or manifest'),
      413: error('Body too large (MODEL_UPLOAD_LIMIT)'),
      422: error('Bytes do not match the manifest, or ONNX Runtime cannot load them'),
    },
  }),
  getModel: operation({
    method: 'get',
    path: '/v1/models/{id}',
    summary: 'One model: status, metrics, lineage, sha256',
    auth: 'client',
    params: modelId,
    responses: {
      200: { description: 'The model', schema: modelSchema },
      404: error('Unknown model'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  getModelQuality: operation({
    method: 'get',
    path: '/v1/models/{id}/quality',
    summary: 'Online quality: feedback counts and acceptance rate in a window',
    auth: 'client',
    params: modelId,
    query: qualityQuery,
    responses: {
      200: { description: 'Quality', schema: qualitySchema },
      400: error('Invalid window'),
      404: error('Unknown model'),
    },
    example: { params: { id: EXAMPLE_ID }, query: { window: '24h' } },
  }),
  activateModel: operation({
    method: 'post',
    path: '/v1/models/{id}/activate',
    summary:
      'Make the model active (promote, or roll back); canary shares end, a running rollout is superseded',
    auth: 'operator',
    params: modelId,
    responses: {
      200: { description: 'The active model', schema: modelSchema },
      404: error('Unknown model'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  startRollout: operation({
    method: 'post',
    path: '/v1/models/{id}/rollout',
    summary:
      'Start an online rollout of a candidate (shadow or canary); the platform promotes or rolls back',
    auth: 'operator',
    params: modelId,
    body: { schema: rolloutRequestBody },
    responses: {
      201: {
        description: 'Started',
        schema: rolloutSchema,
        headers: { Location: "The model's rollouts" },
      },
      400: error('Invalid policy'),
      404: error('Unknown model'),
      409: error('Another rollout is running'),
      422: error(
        'The model is active or retired, there is no active model to compare with, or the offline rule refused it (force)',
      ),
    },
    example: { params: { id: EXAMPLE_ID }, body: { mode: 'canary', share: 0.2 } },
  }),
  getRollout: operation({
    method: 'get',
    path: '/v1/models/{id}/rollout',
    summary: "A model's rollouts: state, the latest figures, and every decision with its figures",
    auth: 'client',
    params: modelId,
    responses: {
      200: { description: 'Its rollouts', schema: rolloutListSchema },
      404: error('Unknown model'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  setTraffic: operation({
    method: 'put',
    path: '/v1/models/traffic',
    summary: 'Split new predictions between the active model and canaries',
    auth: 'operator',
    body: { schema: trafficBody },
    responses: {
      200: { description: 'The split now', schema: trafficSchema },
      400: error('Invalid body'),
      409: error('A rollout is running: it sets the shares until it ends'),
      422: error('Unknown or active model, or shares above 1'),
    },
    example: { body: { candidates: [{ model_id: EXAMPLE_ID, weight: 0.1 }] } },
  }),
  trainModel: operation({
    method: 'post',
    path: '/v1/models/train',
    summary: 'Train a model from the feedback (a job on the training queue)',
    auth: 'operator',
    body: { schema: trainingRequestBody, optional: true },
    responses: {
      202: {
        description: 'Queued; follow the Location',
        schema: trainingAcceptedSchema,
        headers: { Location: 'The training run' },
      },
      400: error('Invalid parameters'),
      503: error('The training queue is unavailable; Retry-After'),
    },
    example: { body: { epochs: 40 } },
  }),
  getTraining: operation({
    method: 'get',
    path: '/v1/trainings/{id}',
    summary: 'A training run: status, progress (epoch, loss), result',
    auth: 'client',
    params: z.object({ id: uuidParam('training run') }),
    responses: {
      200: { description: 'The run', schema: trainingRunSchema },
      404: error('Unknown run'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),

  getDrift: operation({
    method: 'get',
    path: '/v1/drift',
    summary:
      'Input drift: PSI and KS per request feature, recent requests against the active model’s training requests',
    auth: 'client',
    responses: { 200: { description: 'The drift report', schema: driftSchema } },
  }),

  // ---- clients and their keys (operator) --------------------------------------------------
  createClient: operation({
    method: 'post',
    path: '/v1/clients',
    summary: 'Create a client and its first API key (the key is shown this once)',
    auth: 'operator',
    body: { schema: createClientBody },
    responses: {
      201: {
        description: 'The client, with its key',
        schema: clientCreatedSchema,
        headers: { Location: 'The client' },
      },
      400: error('Invalid body'),
      409: error('A client of that name exists'),
    },
    example: { body: { name: 'shop-frontend', rate_limit: 6000 } },
  }),
  listClients: operation({
    method: 'get',
    path: '/v1/clients',
    summary: 'The clients and their keys (prefixes only)',
    auth: 'operator',
    responses: { 200: { description: 'The clients', schema: clientListSchema } },
  }),
  getClient: operation({
    method: 'get',
    path: '/v1/clients/{id}',
    summary: 'A client and its keys',
    auth: 'operator',
    params: clientId,
    responses: {
      200: { description: 'The client', schema: clientSchema },
      404: error('Unknown client'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  updateClient: operation({
    method: 'patch',
    path: '/v1/clients/{id}',
    summary: "Set or clear the client's own rate limit",
    auth: 'operator',
    params: clientId,
    body: { schema: updateClientBody },
    responses: {
      200: { description: 'The client', schema: clientSchema },
      400: error('Invalid body'),
      404: error('Unknown client'),
    },
    example: { params: { id: EXAMPLE_ID }, body: { rate_limit: null } },
  }),
  revokeClient: operation({
    method: 'delete',
    path: '/v1/clients/{id}',
    summary: 'Revoke a client: none of its keys works any more',
    auth: 'operator',
    params: clientId,
    responses: {
      200: { description: 'The revoked client', schema: clientSchema },
      404: error('Unknown client'),
      409: error('The anonymous client cannot be revoked'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  issueKey: operation({
    method: 'post',
    path: '/v1/clients/{id}/keys',
    summary: 'Issue another API key for a client (shown this once)',
    auth: 'operator',
    params: clientId,
    responses: {
      201: { description: 'The key', schema: issuedKeySchema },
      404: error('Unknown client'),
      409: error('The client is revoked, or anonymous'),
    },
    example: { params: { id: EXAMPLE_ID } },
  }),
  revokeKey: operation({
    method: 'delete',
    path: '/v1/clients/{id}/keys/{key_id}',
    summary: 'Revoke one API key',
    auth: 'operator',
    params: z.object({ id: uuidParam('client'), key_id: uuidParam('key') }),
    responses: {
      200: { description: 'The revoked key', schema: apiKeySchema },
      404: error('Unknown client, or no such active key'),
    },
    example: { params: { id: EXAMPLE_ID, key_id: EXAMPLE_ID } },
  }),
  setWebhookSecret: operation({
    method: 'post',
    path: '/v1/clients/{id}/webhook-secret',
    summary:
      "Set or rotate the client's own webhook signing secret (shown this once); keep_previous keeps the old one signing too",
    auth: 'operator',
    params: clientId,
    body: { schema: webhookSecretBody, optional: true },
    responses: {
      201: { description: 'The new secret', schema: webhookSecretSchema },
      400: error('Invalid body (a secret not of the whsec_ form)'),
      404: error('Unknown client'),
    },
    example: { params: { id: EXAMPLE_ID }, body: { keep_previous: true } },
  }),
  removeWebhookSecret: operation({
    method: 'delete',
    path: '/v1/clients/{id}/webhook-secret',
    summary:
      "Remove the client's own webhook secrets (WEBHOOK_SECRET signs again), or with only=previous end a rotation",
    auth: 'operator',
    params: clientId,
    query: webhookSecretRemoveQuery,
    responses: {
      200: { description: 'The client', schema: clientSchema },
      400: error('Invalid query'),
      404: error('Unknown client'),
    },
    example: { params: { id: EXAMPLE_ID }, query: { only: 'previous' } },
  }),

  // ---- the MLprod-compatible routes -------------------------------------------------------
  startInference: operation({
    method: 'post',
    path: '/inference/start',
    summary: 'MLprod-compatible: start an inference',
    auth: 'client',
    compat: true,
    submission: true,
    body: { schema: compatStartBody },
    responses: {
      200: { description: 'Task started', schema: compatTaskSchema },
      400: error('Invalid body'),
    },
    example: { body: { ...EXAMPLE_TRAVELLER_REQUEST, name: 'Family' } },
  }),
  inferenceStatus: operation({
    method: 'get',
    path: '/inference/status/{task_id}',
    summary: 'MLprod-compatible: task status (PENDING, STARTED, SUCCESS)',
    auth: 'client',
    compat: true,
    params: taskId,
    responses: {
      200: { description: 'Status', schema: compatTaskSchema },
      404: error('Unknown task'),
      500: compatFailed,
    },
    example: { params: { task_id: EXAMPLE_ID } },
  }),
  inferenceResults: operation({
    method: 'get',
    path: '/inference/results/{task_id}',
    summary: 'MLprod-compatible: the results, best first; marks them shown',
    auth: 'client',
    compat: true,
    params: taskId,
    query: resultsQuery,
    responses: {
      200: { description: 'Results', schema: compatResultListSchema },
      400: error('Invalid limit'),
      404: error('Unknown task'),
      500: compatFailed,
    },
    example: { params: { task_id: EXAMPLE_ID }, query: { limit: 3 } },
  }),
  selectLocation: operation({
    method: 'put',
    path: '/inference/select/',
    summary: 'MLprod-compatible: record the chosen stay (-1: none fitted); the slash is optional',
    auth: 'client',
    compat: true,
    body: { schema: compatSelectBody },
    responses: {
      200: {
        description: 'The updated result, or null for -1',
        schema: compatSelectionResultSchema,
      },
      400: error('Invalid body'),
      404: error('No such result'),
      409: error('Already selected, or the task has not succeeded'),
    },
    example: { body: { task_id: EXAMPLE_ID, location_id: 151 } },
  }),
  startTraining: operation({
    method: 'post',
    path: '/train/start',
    summary: 'MLprod-compatible: start a training run',
    auth: 'operator',
    compat: true,
    body: { schema: trainingRequestBody, optional: true },
    responses: {
      200: { description: 'Task started', schema: compatTaskSchema },
      400: error('Invalid parameters'),
      503: error('The training queue is unavailable; Retry-After'),
    },
  }),
  contentInfo: operation({
    method: 'get',
    path: '/content/info',
    summary: 'MLprod-compatible: counts',
    auth: 'client',
    compat: true,
    responses: { 200: { description: 'Counts', schema: contentInfoSchema } },
  }),
  contentLocations: operation({
    method: 'get',
    path: '/content/locations',
    summary: 'MLprod-compatible: every stay',
    auth: 'client',
    compat: true,
    responses: { 200: { description: 'Stays', schema: compatLocationListSchema } },
  }),
  contentLocation: operation({
    method: 'get',
    path: '/content/location/{id}',
    summary: 'MLprod-compatible: one stay',
    auth: 'client',
    compat: true,
    params: z.object({ id: intParam('location') }),
    responses: {
      200: { description: 'The stay', schema: compatLocationSchema },
      404: error('Unknown location'),
    },
    example: { params: { id: 7 } },
  }),

  // ---- service ----------------------------------------------------------------------------
  liveness: operation({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    auth: 'public',
    responses: {
      200: {
        description: 'The process answers',
        schema: z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' }),
      },
    },
  }),
  readiness: operation({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL, Redis and an active model',
    auth: 'public',
    responses: {
      200: { description: 'Ready', schema: readinessSchema },
      503: { description: 'Not ready', schema: readinessSchema },
    },
  }),
  docs: operation({
    method: 'get',
    path: '/docs',
    summary: 'Interactive API documentation (Swagger UI over this document)',
    auth: 'public',
    responses: { 200: { description: 'The page', contentType: 'text/html' } },
  }),
  queueConsole: operation({
    method: 'get',
    path: '/admin/queues',
    summary:
      'The queue console (bull-board): every queue, its jobs, retry and clean; Basic auth: user admin, password the operator token',
    auth: 'operator',
    browser: true,
    responses: { 200: { description: 'The page', contentType: 'text/html' } },
  }),
  openapi: operation({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: 'public',
    responses: {
      200: {
        description: 'The OpenAPI document',
        schema: z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }),
      },
    },
  }),
} as const satisfies Record<string, Operation>;

export type Operations = typeof OPERATIONS;
export type OperationId = keyof Operations;

export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];

/**
 * The refusals every operation of this kind may answer besides its own, with Retry-After where
 * retrying helps: the operator's 401, a client's 401 (bad key), 429 and 503.
 */
export function refusalsOf(op: Operation): Record<number, { description: string }> {
  if (op.auth === 'operator') {
    return {
      401: { description: 'Missing or wrong operator token (also when none is configured)' },
    };
  }
  if (op.auth === 'public') return {};
  return {
    401: { description: 'Unknown or revoked API key, or none where one is required' },
    429: {
      description:
        'Rate limit of the client exceeded (RateLimit headers, Retry-After): nothing stored',
    },
    503: {
      description: op.submission
        ? 'Overloaded (backlog past its limit), or the database is busy or unavailable; Retry-After'
        : 'The database is busy or unavailable; Retry-After',
    },
  };
}
