// Names shared by the global setup, the teardown and the test files of one run.
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ADMIN_URL =
  process.env.PREDICTQ_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.PREDICTQ_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the tests through jest`);
  return value;
}

/** Set by the global setup: every database of this run starts with this name. */
export const runDatabasePrefix = () => required('PREDICTQ_TEST_RUN');

/** Set by the global setup: the baseline model trained once for the run. */
export const runModelDir = () => required('PREDICTQ_TEST_MODEL_DIR');

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
