// A prediction's webhook deliveries (the log of attempts) and redelivery.
import { getPrediction, listDeliveries, redeliver } from '@predictq/db';
import type { Db } from '@predictq/db';

import { callingClient } from '../http/client-auth';
import { notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import { presentDelivery } from '../presenters';

export function webhookHandlers(deps: {
  db: Db;
}): Handlers<'listWebhookDeliveries' | 'redeliverWebhook'> {
  const ownPrediction = async (id: string, clientId: string) => {
    const prediction = await getPrediction(deps.db, id);
    if (!prediction || prediction.client_id !== clientId) throw notFound('prediction');
    return prediction;
  };
  return {
    listWebhookDeliveries: async ({ params: { id } }, res) => {
      await ownPrediction(id, callingClient(res).clientId);
      const deliveries = await listDeliveries(deps.db, id);
      res.json({ deliveries: deliveries.map(presentDelivery) });
    },

    redeliverWebhook: async ({ params: { id, delivery } }, res) => {
      await ownPrediction(id, callingClient(res).clientId);
      const row = await redeliver(deps.db, id, delivery);
      if (!row) throw notFound('delivery');
      res.status(202).json(presentDelivery({ ...row, attempt_log: [] }));
    },
  };
}
