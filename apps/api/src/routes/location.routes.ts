// The catalogue, read-only.
import { type Db, getLocation, listLocations } from '@predictq/db';

import type { Access } from '../http/access';
import { notFound } from '../http/errors';
import { router } from '../http/router';
import { integerParam } from '../http/validate';
import { presentLocation } from '../presenters';

export function locationRoutes(deps: { db: Db; access: Access }) {
  const routes = router();

  routes.get('/v1/locations', ...deps.access.read, async (_req, res) => {
    const locations = (await listLocations(deps.db)).map(presentLocation);
    res.json({ locations, count: locations.length });
  });

  routes.get('/v1/locations/:id', ...deps.access.read, async (req, res) => {
    const row = await getLocation(deps.db, integerParam(req.params.id, 'location'));
    if (!row) throw notFound('location');
    res.json(presentLocation(row));
  });

  return routes;
}
