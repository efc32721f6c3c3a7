// The catalogue, read-only.
import { type Db, getLocation, listLocations } from '@predictq/db';

import { notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import { presentLocation } from '../presenters';

export function locationHandlers(deps: { db: Db }): Handlers<'listLocations' | 'getLocation'> {
  return {
    listLocations: async (_request, res) => {
      const locations = (await listLocations(deps.db)).map(presentLocation);
      res.json({ locations, count: locations.length });
    },

    getLocation: async ({ params: { id } }, res) => {
      const row = await getLocation(deps.db, id);
      if (!row) throw notFound('location');
      res.json(presentLocation(row));
    },
  };
}
