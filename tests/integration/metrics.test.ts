// After a prediction flows through the stack (and feedback, and a rejected request), every
// documented metric family has samples on the API's and the worker's /metrics.
import {
  API_METRIC_FAMILIES,
  PROCESS_METRIC_FAMILIES,
  WORKER_METRIC_FAMILIES,
} from '@predictq/metrics';

import { familyRequest } from '../fixtures/domain';
import { familiesWithSamples, scrape } from '../support/metrics';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startPlatform();
  const accepted = await platform.client.submitPrediction(familyRequest);
  let prediction = await platform.client.getPrediction(accepted.id, 10);
  while (prediction.status !== 'succeeded')
    prediction = await platform.client.getPrediction(accepted.id, 10);
  await platform.client.sendFeedback(accepted.id, prediction.output!.ranking[0]!.location_id);
  await platform.client.submitPrediction({ ...familyRequest, budget: -1 }).catch(() => undefined);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

describe('/metrics', () => {
  it('exposes every API family and the process metrics on the API', async () => {
    const text = await scrape(platform.api.url);
    const expected = [...API_METRIC_FAMILIES, ...PROCESS_METRIC_FAMILIES];
    expect([...familiesWithSamples(text, expected)].sort()).toEqual([...expected].sort());
    expect(text).toMatch(
      /predictq_http_requests_total\{method="POST",route="\/v1\/predictions",status="202"\} 1/,
    );
    expect(text).toMatch(
      /predictq_validation_rejections_total\{route="\/v1\/predictions",code="validation_failed"\} 1/,
    );
    expect(text).toMatch(/predictq_feedback_total\{outcome="chosen",model_version="1"\} 1/);
    expect(text).toMatch(/predictq_queue_jobs\{queue="inference",state="waiting"\} 0/);
    // Route templates, never raw paths with ids.
    expect(text).not.toMatch(/route="\/v1\/predictions\/[0-9a-f]{8}-/);
  });

  it('exposes every worker family and the process metrics on the worker', async () => {
    const text = await scrape(platform.worker!.url);
    const expected = [...WORKER_METRIC_FAMILIES, ...PROCESS_METRIC_FAMILIES];
    expect([...familiesWithSamples(text, expected)].sort()).toEqual([...expected].sort());
    expect(text).toMatch(
      /predictq_predictions_completed_total\{status="succeeded",model_version="1"\} 1/,
    );
    expect(text).toMatch(
      /predictq_model_info\{model_id="[0-9a-f-]{36}",model_version="1",role="active"\} 1/,
    );
    expect(text).toMatch(/predictq_worker_concurrency 64/);
  });
});
