// What a webhook delivers: the prediction as GET returns it (so its ranking is marked shown, as
// any answer carrying a ranking does). Over the size cap, the prediction without its output and a
// link to read it instead.
import { type Db, getModel } from '@predictq/db';

import { presentPrediction } from './present-prediction';
import { readPrediction } from './read-prediction';

export interface WebhookPayload {
  body: string;
  /** The ranking did not fit under the cap: the body links to the prediction instead. */
  truncated: boolean;
}

export async function webhookPayload(
  db: Db,
  predictionId: string,
  clientId: string,
  options: { maxBytes: number; publicBaseUrl: string },
): Promise<WebhookPayload | undefined> {
  const view = await readPrediction(db, predictionId, { clientId });
  if (!view) return undefined;
  const model = view.prediction.model_id ? await getModel(db, view.prediction.model_id) : undefined;
  const prediction = presentPrediction(view, model?.version);
  const url = new URL(`/v1/predictions/${predictionId}`, options.publicBaseUrl).toString();
  const body = JSON.stringify({ ...prediction, urls: { get: url } });
  if (Buffer.byteLength(body) <= options.maxBytes) return { body, truncated: false };
  return {
    body: JSON.stringify({ ...prediction, output: null, output_omitted: true, urls: { get: url } }),
    truncated: true,
  };
}
