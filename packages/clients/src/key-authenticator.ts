// The API's lookup of a presented key, cached in the process: a hit costs a hash and a map
// lookup, a miss one statement. A revoked key keeps working in a process until its cache entry
// expires (ttlMs), so revocation takes effect within ttlMs everywhere.
import { anonymousClient, authenticateApiKey, type Db, type KeyOwner } from '@predictq/db';

import { hashApiKey, isApiKeyShaped } from './api-key';

export interface KeyAuthenticatorOptions {
  /** How long a lookup (found or not) is trusted. */
  ttlMs: number;
  /** Most entries kept; the oldest go first (unknown keys cannot grow it without bound). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  owner: Promise<KeyOwner | undefined>;
  expires: number;
}

export class KeyAuthenticator {
  private readonly entries = new Map<string, Entry>();
  private anonymousEntry: { owner: Promise<KeyOwner>; expires: number } | undefined;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private readonly options: KeyAuthenticatorOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The owner of a live key; undefined for a malformed, unknown or revoked one. */
  async authenticate(key: string): Promise<KeyOwner | undefined> {
    if (!isApiKeyShaped(key)) return undefined;
    const hash = hashApiKey(key);
    const now = this.now();
    const cached = this.entries.get(hash);
    if (cached && cached.expires > now) return cached.owner;
    const owner = authenticateApiKey(this.db, hash);
    this.remember(hash, { owner, expires: now + this.options.ttlMs });
    // A failed lookup (the database is away) is not remembered.
    owner.catch(() => {
      if (this.entries.get(hash)?.owner === owner) this.entries.delete(hash);
    });
    return owner;
  }

  /** The anonymous client (its rate limit may be changed by an operator, hence the cache). */
  async anonymous(): Promise<KeyOwner> {
    const now = this.now();
    if (this.anonymousEntry && this.anonymousEntry.expires > now) return this.anonymousEntry.owner;
    const owner = anonymousClient(this.db);
    const entry = { owner, expires: now + this.options.ttlMs };
    this.anonymousEntry = entry;
    owner.catch(() => {
      if (this.anonymousEntry === entry) this.anonymousEntry = undefined;
    });
    return owner;
  }

  private remember(hash: string, entry: Entry): void {
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, entry);
  }
}
