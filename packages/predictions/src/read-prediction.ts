// Reading a prediction: its status, and once it succeeded its ranking, which is then marked
// shown (the stays the client saw are the ones feedback may label).
import { type Db, type PredictionWithRanking, readPredictionWithRanking } from '@predictq/db';

export type PredictionView = PredictionWithRanking;

/** The whole ranking is at most this long (RESULTS_TOP_K is far smaller). */
const WHOLE_RANKING = 1000;

/** The client's prediction: another client's is not found (and is not marked shown). */
export function readPrediction(
  db: Db,
  id: string,
  options: { limit?: number; clientId?: string } = {},
): Promise<PredictionView | undefined> {
  return readPredictionWithRanking(db, id, options.limit ?? WHOLE_RANKING, options.clientId);
}
