// The catalogue held in memory (the design's "small feature store": every stay's features): the
// worker scores against it without reading PostgreSQL per job, and reloads it when the
// catalogue's stamp (row count, latest update) changes.
import { cheapestFirst, type LocationFeatures, pickLocationFeatures } from '@predictq/domain';
import { catalogueStamp, type Db, listLocations, type LocationRow } from '@predictq/db';

export interface Catalogue {
  stamp: string;
  ids: Int32Array;
  locations: LocationFeatures[];
  prices: Float64Array;
  /** Indices sorted by ascending price, for the candidate stage. */
  cheapest: number[];
}

export function buildCatalogue(stamp: string, rows: readonly LocationRow[]): Catalogue {
  const prices = Float64Array.from(rows, (r) => r.price);
  return {
    stamp,
    ids: Int32Array.from(rows, (r) => r.id),
    locations: rows.map((row) => pickLocationFeatures(row)),
    prices,
    cheapest: cheapestFirst(prices),
  };
}

export class CatalogueCache {
  private catalogue: Catalogue | undefined;

  constructor(private readonly db: Db) {}

  /** The catalogue to score against; throws while it is empty (nothing to rank). */
  get current(): Catalogue {
    if (!this.catalogue || this.catalogue.ids.length === 0) {
      throw new Error('the catalogue is empty: no locations to rank');
    }
    return this.catalogue;
  }

  get size(): number {
    return this.catalogue?.ids.length ?? 0;
  }

  /** Reloads when the catalogue changed; returns whether it did. */
  async refresh(): Promise<boolean> {
    // The stamp is read before the rows: a change in between is caught by the next refresh.
    const stamp = await catalogueStamp(this.db);
    if (stamp === this.catalogue?.stamp) return false;
    this.catalogue = buildCatalogue(stamp, await listLocations(this.db));
    return true;
  }
}
