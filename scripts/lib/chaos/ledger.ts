// The chaos run's ledger, read from PostgreSQL: how every accepted prediction ended. It waits
// (up to a limit) until none is unfinished, then counts.
import type { Database } from '@predictq/db';
import { UNFINISHED_STATUSES } from '@predictq/domain';

export interface Ledger {
  succeeded: number;
  failed: number;
  unfinished: number;
  /** Accepted (202) but not stored: lost. */
  missing: number;
  /** Succeeded without the expected number of ranked stays. */
  incomplete: number;
  drainSeconds: number;
  /** The reasons of failed predictions, with how many each. */
  failures: Record<string, number>;
}

interface Counts {
  succeeded: number;
  failed: number;
  unfinished: number;
  missing: number;
}

async function count(database: Database, ids: readonly string[]): Promise<Counts> {
  const { rows } = await database.pool.query<Counts>(
    `select count(*) filter (where p.status = 'succeeded')::int as succeeded,
            count(*) filter (where p.status in ('failed', 'canceled'))::int as failed,
            count(*) filter (where p.status = any($2::prediction_status[]))::int as unfinished,
            count(*) filter (where p.id is null)::int as missing
     from unnest($1::uuid[]) as a(id) left join predictions p on p.id = a.id`,
    [ids, UNFINISHED_STATUSES],
  );
  return rows[0]!;
}

export async function readLedger(
  database: Database,
  accepted: readonly string[],
  drainMs: number,
  topK = 10,
): Promise<Ledger> {
  const started = Date.now();
  let counts = await count(database, accepted);
  while (counts.unfinished > 0 && Date.now() - started < drainMs) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    counts = await count(database, accepted).catch(() => counts);
  }
  const drainSeconds = Math.round((Date.now() - started) / 100) / 10;
  const { rows: incomplete } = await database.pool.query<{ n: number }>(
    `select count(*)::int as n from predictions p
     where p.id = any($1::uuid[]) and p.status = 'succeeded'
       and (select count(*) from rankings r where r.prediction_id = p.id) <> $2`,
    [accepted, topK],
  );
  const { rows: failures } = await database.pool.query<{ error: string; n: number }>(
    `select coalesce(error, status::text) as error, count(*)::int as n from predictions
     where id = any($1::uuid[]) and status in ('failed', 'canceled') group by 1`,
    [accepted],
  );
  return {
    ...counts,
    incomplete: incomplete[0]!.n,
    drainSeconds,
    failures: Object.fromEntries(failures.map((f) => [f.error, f.n])),
  };
}
