// /openapi.json, generated from the zod schemas the routes validate with (@predictq/contract):
// every schema with a meta id becomes a component, and the paths refer to them.
import * as s from '@predictq/contract';
import { z } from 'zod';

type Json = Record<string, unknown>;

/** Request bodies are described as the client sends them (before defaults apply). */
const REQUEST_BODIES = new Set([
  s.createClientBody,
  s.updateClientBody,
  s.createPredictionBody,
  s.feedbackBody,
  s.compatStartBody,
  s.compatSelectBody,
  s.trafficBody,
  s.uploadBody,
  s.trainingRequestBody,
]);

function components(): Record<string, Json> {
  const options = {
    target: 'openapi-3.0',
    uri: (id: string) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  } as const;
  const inputs = z.toJSONSchema(z.globalRegistry, { ...options, io: 'input' }).schemas;
  const outputs = z.toJSONSchema(z.globalRegistry, { ...options, io: 'output' }).schemas;
  const inputIds = new Set([...REQUEST_BODIES].map((schema) => z.globalRegistry.get(schema)?.id));
  return Object.fromEntries(
    Object.entries(outputs).map(([id, schema]) => {
      const { $id: _id, ...rest } = (inputIds.has(id) ? inputs[id] : schema) as Json;
      return [id, rest];
    }),
  );
}

function ref(schema: z.ZodType): Json {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('an OpenAPI body schema needs .meta({ id })');
  return { $ref: `#/components/schemas/${id}` };
}

const json = (schema: z.ZodType) => ({ 'application/json': { schema: ref(schema) } });
const body = (schema: z.ZodType) => ({ required: true, content: json(schema) });
const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
const error = (description: string) => ok(description, s.errorSchema);

const pathParam = (name: string, schema: Json) => ({ name, in: 'path', required: true, schema });
const uuidParam = (name: string) => pathParam(name, { type: 'string', format: 'uuid' });
const intParam = (name: string) => pathParam(name, { type: 'integer' });

/** Operator routes: the bearer token, and the answers it adds. */
const operator = {
  security: [{ operatorToken: [] }],
};
const operatorErrors = {
  401: error('Missing or wrong operator token (also when the server has none configured)'),
};

/** Paths that take neither a client key nor an operator token. */
const PROBES = new Set(['/healthz', '/readyz', '/openapi.json']);
const SUBMISSIONS = new Set(['/v1/predictions', '/inference/start']);

/**
 * Client routes: an optional API key (required with REQUIRE_API_KEY, or COMPAT_REQUIRE_API_KEY on
 * the compatible routes) and the refusals every one of them may answer, with Retry-After.
 */
function withClientAccess(paths: Record<string, Record<string, Json>>): void {
  for (const [path, operations] of Object.entries(paths)) {
    if (PROBES.has(path)) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (operation.security) continue;
      const submission = SUBMISSIONS.has(path) && method === 'post';
      operation.security = [{ clientKey: [] }, {}];
      operation.responses = {
        ...(operation.responses as Json),
        401: error('Unknown or revoked API key, or none where one is required'),
        429: error(
          'Rate limit of the client exceeded (RateLimit headers, Retry-After): nothing stored',
        ),
        503: error(
          submission
            ? 'Overloaded (backlog past its limit), or the database is busy or unavailable; Retry-After'
            : 'The database is busy or unavailable; Retry-After',
        ),
      };
    }
  }
}

export function buildOpenApiDocument(version: string): Json {
  const document = {
    openapi: '3.0.3',
    info: {
      title: 'predictq',
      version,
      description:
        'Queue-backed asynchronous ranking of stays for traveller groups: submit a prediction, ' +
        'poll until it succeeded, read the ranking, report which stay the group chose.',
    },
    paths: {
      '/v1/predictions': {
        post: {
          summary: 'Submit a traveller request for ranking',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', maxLength: 255 },
              description: 'The same key returns the same prediction and never a second job.',
            },
          ],
          requestBody: body(s.createPredictionBody),
          responses: {
            202: {
              ...ok('Accepted; poll the Location header', s.acceptedSchema),
              headers: { Location: { schema: { type: 'string' } } },
            },
            400: error('Invalid body (each broken field in details)'),
            413: error('Body too large'),
            415: error('Body is not JSON'),
            422: error('Idempotency-Key reused with another body'),
          },
        },
      },
      '/v1/predictions/{id}': {
        get: {
          summary: 'Read a prediction; a succeeded one marks its ranking as shown',
          parameters: [
            uuidParam('id'),
            {
              name: 'wait',
              in: 'query',
              required: false,
              schema: { type: 'number', minimum: 0, maximum: s.MAX_WAIT_SECONDS, default: 0 },
              description:
                'Long polling: answer once the prediction ended, or after this many seconds.',
            },
          ],
          responses: {
            200: ok('The prediction', s.predictionSchema),
            404: error('Unknown prediction'),
          },
        },
      },
      '/v1/predictions/{id}/feedback': {
        post: {
          summary: 'Report the stay the group chose, or null when none fitted',
          parameters: [uuidParam('id')],
          requestBody: body(s.feedbackBody),
          responses: {
            201: ok('Recorded', s.feedbackSchema),
            400: error('Invalid body'),
            404: error('Unknown prediction'),
            409: error('Feedback already given, or the prediction has not succeeded'),
            422: error('The location was not among the returned stays'),
          },
        },
      },
      '/v1/locations': {
        get: {
          summary: 'The catalogue',
          responses: { 200: ok('Every stay', s.locationListSchema) },
        },
      },
      '/v1/locations/{id}': {
        get: {
          summary: 'One stay',
          parameters: [intParam('id')],
          responses: { 200: ok('The stay', s.locationSchema), 404: error('Unknown location') },
        },
      },
      '/v1/models': {
        get: {
          summary: 'The model registry',
          responses: { 200: ok('Every model', s.modelListSchema) },
        },
        post: {
          summary: 'Upload an external ONNX model with its manifest (a candidate)',
          ...operator,
          requestBody: body(s.uploadBody),
          responses: {
            201: ok('Registered', s.modelSchema),
            200: ok('The same bytes were registered before', s.modelSchema),
            400: error('Invalid body or manifest'),
            413: error('Body too large (MODEL_UPLOAD_LIMIT)'),
            422: error('Bytes do not match the manifest, or ONNX Runtime cannot load them'),
            ...operatorErrors,
          },
        },
      },
      '/v1/models/{id}': {
        get: {
          summary: 'One model: status, metrics, lineage, sha256',
          parameters: [uuidParam('id')],
          responses: { 200: ok('The model', s.modelSchema), 404: error('Unknown model') },
        },
      },
      '/v1/models/{id}/quality': {
        get: {
          summary: 'Online quality: feedback counts and acceptance rate in a window',
          parameters: [
            uuidParam('id'),
            {
              name: 'window',
              in: 'query',
              required: false,
              schema: { type: 'string', default: '24h', pattern: '^(all|\\d{1,5}[mhd])$' },
            },
          ],
          responses: { 200: ok('Quality', s.qualitySchema), 404: error('Unknown model') },
        },
      },
      '/v1/models/{id}/activate': {
        post: {
          summary: 'Make the model active (promote, or roll back); canary shares end',
          ...operator,
          parameters: [uuidParam('id')],
          responses: {
            200: ok('The active model', s.modelSchema),
            404: error('Unknown model'),
            ...operatorErrors,
          },
        },
      },
      '/v1/models/traffic': {
        put: {
          summary: 'Split new predictions between the active model and canaries',
          ...operator,
          requestBody: body(s.trafficBody),
          responses: {
            200: ok('The split now', s.trafficSchema),
            400: error('Invalid body'),
            422: error('Unknown or active model, or shares above 1'),
            ...operatorErrors,
          },
        },
      },
      '/v1/models/train': {
        post: {
          summary: 'Train a model from the feedback (a job on the training queue)',
          ...operator,
          requestBody: { required: false, content: json(s.trainingRequestBody) },
          responses: {
            202: ok('Queued; follow the Location', s.trainingAcceptedSchema),
            400: error('Invalid parameters'),
            ...operatorErrors,
          },
        },
      },
      '/v1/clients': {
        post: {
          summary: 'Create a client and its first API key (the key is shown this once)',
          ...operator,
          requestBody: body(s.createClientBody),
          responses: {
            201: ok('The client, with its key', s.clientCreatedSchema),
            400: error('Invalid body'),
            409: error('A client of that name exists'),
            ...operatorErrors,
          },
        },
        get: {
          summary: 'The clients and their keys (prefixes only)',
          ...operator,
          responses: { 200: ok('The clients', s.clientListSchema), ...operatorErrors },
        },
      },
      '/v1/clients/{id}': {
        get: {
          summary: 'A client and its keys',
          ...operator,
          parameters: [uuidParam('id')],
          responses: {
            200: ok('The client', s.clientSchema),
            404: error('Unknown client'),
            ...operatorErrors,
          },
        },
        patch: {
          summary: "Set or clear the client's own rate limit",
          ...operator,
          parameters: [uuidParam('id')],
          requestBody: body(s.updateClientBody),
          responses: {
            200: ok('The client', s.clientSchema),
            400: error('Invalid body'),
            404: error('Unknown client'),
            ...operatorErrors,
          },
        },
        delete: {
          summary: 'Revoke a client: none of its keys works any more',
          ...operator,
          parameters: [uuidParam('id')],
          responses: {
            200: ok('The revoked client', s.clientSchema),
            404: error('Unknown client'),
            409: error('The anonymous client cannot be revoked'),
            ...operatorErrors,
          },
        },
      },
      '/v1/clients/{id}/keys': {
        post: {
          summary: 'Issue another API key for a client (shown this once)',
          ...operator,
          parameters: [uuidParam('id')],
          responses: {
            201: ok('The key', s.issuedKeySchema),
            404: error('Unknown client'),
            409: error('The client is revoked, or anonymous'),
            ...operatorErrors,
          },
        },
      },
      '/v1/clients/{id}/keys/{key_id}': {
        delete: {
          summary: 'Revoke one API key',
          ...operator,
          parameters: [uuidParam('id'), uuidParam('key_id')],
          responses: {
            200: ok('The revoked key', s.apiKeySchema),
            404: error('Unknown client, or no such active key'),
            ...operatorErrors,
          },
        },
      },
      '/v1/trainings/{id}': {
        get: {
          summary: 'A training run: status, progress (epoch, loss), result',
          parameters: [uuidParam('id')],
          responses: { 200: ok('The run', s.trainingRunSchema), 404: error('Unknown run') },
        },
      },
      '/train/start': {
        post: {
          summary: 'MLprod-compatible: start a training run',
          ...operator,
          responses: { 200: ok('Task started', s.compatTaskSchema), ...operatorErrors },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness', responses: { 200: { description: 'The process answers' } } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: PostgreSQL, Redis and an active model',
          responses: {
            200: ok('Ready', s.readinessSchema),
            503: ok('Not ready', s.readinessSchema),
          },
        },
      },
      '/inference/start': {
        post: {
          summary: 'MLprod-compatible: start an inference',
          requestBody: body(s.compatStartBody),
          responses: { 200: ok('Task started', s.compatTaskSchema), 400: error('Invalid body') },
        },
      },
      '/inference/status/{task_id}': {
        get: {
          summary: 'MLprod-compatible: task status (PENDING, STARTED, SUCCESS)',
          parameters: [uuidParam('task_id')],
          responses: {
            200: ok('Status', s.compatTaskSchema),
            404: error('Unknown task'),
            500: ok(
              'The task failed: {"detail": "Task failed"}, as the original',
              s.compatTaskFailedSchema,
            ),
          },
        },
      },
      '/inference/results/{task_id}': {
        get: {
          summary: 'MLprod-compatible: the results, best first; marks them shown',
          parameters: [
            uuidParam('task_id'),
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', default: 10, minimum: 1, maximum: 1000 },
            },
          ],
          responses: {
            200: ok('Results', s.compatResultListSchema),
            404: error('Unknown task'),
            500: ok(
              'The task failed: {"detail": "Task failed"}, as the original',
              s.compatTaskFailedSchema,
            ),
          },
        },
      },
      '/inference/select/': {
        put: {
          summary:
            'MLprod-compatible: record the chosen stay (-1: none fitted); the slash is optional',
          requestBody: body(s.compatSelectBody),
          responses: {
            200: ok('The updated result, or null for -1', s.compatSelectionResultSchema),
            404: error('No such result'),
            409: error('Already selected'),
          },
        },
      },
      '/content/info': {
        get: {
          summary: 'MLprod-compatible: counts',
          responses: { 200: ok('Counts', s.contentInfoSchema) },
        },
      },
      '/content/locations': {
        get: {
          summary: 'MLprod-compatible: every stay',
          responses: { 200: ok('Stays', s.compatLocationListSchema) },
        },
      },
      '/content/location/{id}': {
        get: {
          summary: 'MLprod-compatible: one stay',
          parameters: [intParam('id')],
          responses: {
            200: ok('The stay', s.compatLocationSchema),
            404: error('Unknown location'),
          },
        },
      },
    },
    components: {
      schemas: components(),
      securitySchemes: {
        operatorToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        clientKey: { type: 'http', scheme: 'bearer', description: 'A client API key (pq_...)' },
      },
    },
  };
  withClientAccess(document.paths);
  return document;
}
