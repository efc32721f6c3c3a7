// Reads and writes of the catalogue.
import type { LocationFeatures } from '@predictq/domain';
import { asc, count, eq, max } from 'drizzle-orm';

import type { Queryable } from './client';
import { locations, type LocationRow } from './schema';

export async function listLocations(db: Queryable): Promise<LocationRow[]> {
  return db.select().from(locations).orderBy(asc(locations.id));
}

export async function getLocation(db: Queryable, id: number): Promise<LocationRow | undefined> {
  const [row] = await db.select().from(locations).where(eq(locations.id, id));
  return row;
}

export async function countLocations(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: count() }).from(locations);
  return row?.n ?? 0;
}

/** Inserts stays in order (ids follow that order) in batches; returns how many were inserted. */
export async function insertLocations(
  db: Queryable,
  drafts: readonly (LocationFeatures & { town: string })[],
): Promise<number> {
  const batch = 500;
  for (let i = 0; i < drafts.length; i += batch) {
    await db.insert(locations).values(drafts.slice(i, i + batch));
  }
  return drafts.length;
}

/** Changes whenever a stay is added, removed or updated: the catalogue cache's refresh signal. */
export async function catalogueStamp(db: Queryable): Promise<string> {
  const [row] = await db.select({ n: count(), latest: max(locations.updated_at) }).from(locations);
  return `${row?.n ?? 0}@${row?.latest?.toISOString() ?? '-'}`;
}
