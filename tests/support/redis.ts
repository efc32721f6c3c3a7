// A Redis key prefix of its own for a test, and removal of exactly the keys under it.
import { randomBytes } from 'node:crypto';

import { deleteKeysWithPrefix as deleteKeys } from '../../scripts/lib/platform/fresh-resources';
import { REDIS_URL } from './env';

export function testQueuePrefix(): string {
  return `predictq-test-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under `prefix:`; never touches another key. */
export function deleteKeysWithPrefix(prefix: string): Promise<number> {
  return deleteKeys(REDIS_URL, prefix);
}
