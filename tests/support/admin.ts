// A short-lived connection to the server's admin database (to create, clone and drop the test
// databases and roles).
import { Client } from 'pg';

import { ADMIN_URL } from './env';

export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function adminQuery(sql: string): Promise<void> {
  await withAdmin((client) => client.query(sql));
}
