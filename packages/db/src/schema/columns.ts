// Column helpers shared by the tables.
import { customType, timestamp } from 'drizzle-orm/pg-core';

/**
 * A list of constants as SQL, ('queued', 'processing'): for predicates that must be literal (a
 * partial index, and the statements that must match it). Only for the domain's own constants.
 */
export const sqlList = (values: readonly string[]): string =>
  `(${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`;

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const timestampTz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Binary data (model artifacts); node-postgres returns a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});
