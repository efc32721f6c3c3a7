// PostgreSQL plans the platform's prepared statements from the tables' statistics, which
// autovacuum's ANALYZE keeps current. On a server with autovacuum off (this project's development
// machine), a fresh database never gets any: its statements keep plans made while its tables were
// nearly empty (sequential scans of predictions inside the worker's batch statements), and the
// database's CPU per session doubled from run to run depending on when the plans were fixed. So
// on such a server the bench analyzes the platform's database as each measured window opens
// (after the warm-up), as autovacuum would have by then, and says so in the report.
import { Client } from 'pg';

/** When the server's autovacuum is off: ANALYZE the database; returns the report's note. */
export async function analyzeWithoutAutovacuum(databaseUrl: string): Promise<string | undefined> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'predictq-bench' });
  await client.connect();
  try {
    const { rows } = await client.query<{ autovacuum: string }>('SHOW autovacuum');
    if (rows[0]?.autovacuum !== 'off') return undefined;
    await client.query('ANALYZE');
    return "the server's autovacuum is off: the bench ran ANALYZE on the platform's database as each measured window opened, as autovacuum would have by then";
  } finally {
    await client.end();
  }
}
