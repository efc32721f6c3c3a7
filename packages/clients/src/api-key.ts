// API keys: 256 random bits behind a recognisable prefix. Only their sha256 is stored; a short
// visible prefix tells keys apart in listings. A hash without salt or stretching is enough: the
// key is random, not a password, so there is nothing to guess from the hash.
import { createHash, randomBytes } from 'node:crypto';

const SCHEME = 'pq_';
/** The visible part: the scheme and the first 8 characters of the random part. */
const VISIBLE = SCHEME.length + 8;
const KEY = /^pq_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  /** The key, shown once to the operator who creates it. */
  key: string;
  prefix: string;
  hash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): NewApiKey {
  const key = `${SCHEME}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, VISIBLE), hash: hashApiKey(key) };
}

/** Whether a bearer token has the shape of a client key (anything else is never looked up). */
export function isApiKeyShaped(token: string): boolean {
  return KEY.test(token);
}
