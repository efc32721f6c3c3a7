// The ledger of a fault test: how the predictions of a database ended, and waiting for them.
import type { Pool } from 'pg';

export async function statusCounts(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from predictions group by status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // The dependency being faulted may refuse the check for a moment.
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every prediction succeeded with exactly `stays` ranked stays; none failed or is missing. */
export async function expectAllSucceeded(pool: Pool, n: number, stays = 10): Promise<void> {
  expect(await statusCounts(pool)).toEqual({ succeeded: n });
  const { rows } = await pool.query<{ wrong: number }>(
    `select count(*)::int as wrong from predictions p
     where (select count(*) from rankings r where r.prediction_id = p.id) <> $1`,
    [stays],
  );
  expect(rows[0]!.wrong).toBe(0);
}
