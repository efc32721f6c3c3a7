// The catalogue, read-only.
import { Router } from 'express';
import { type Db, getLocation, listLocations } from '@predictq/db';

import { notFound } from '../http/errors';
import { integerParam } from '../http/validate';
import { presentLocation } from '../presenters';

export function locationRoutes(deps: { db: Db }): Router {
  const router = Router();

  router.get('/v1/locations', async (_req, res) => {
    const locations = (await listLocations(deps.db)).map(presentLocation);
    res.json({ locations, count: locations.length });
  });

  router.get('/v1/locations/:id', async (req, res) => {
    const row = await getLocation(deps.db, integerParam(req.params.id, 'location'));
    if (!row) throw notFound('location');
    res.json(presentLocation(row));
  });

  return router;
}
