/**
 * Fedify's `KvStore` on PostgreSQL (`federation_kv`, through @murmur/db): every API and worker
 * process shares its caches of remote keys and documents and its memory of incoming activities.
 */
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import { type Database } from '@murmur/db';
import {
  compareAndSetFederationEntry,
  deleteFederationEntry,
  getFederationEntry,
  listFederationEntries,
  setFederationEntry,
} from '@murmur/db/federation';

function ttlMilliseconds(options: KvStoreSetOptions | undefined): number | undefined {
  return options?.ttl ? Math.max(0, Math.round(options.ttl.total('millisecond'))) : undefined;
}

export class PostgresKvStore implements KvStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    return (await getFederationEntry(this.#database, key)) as T | undefined;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    await setFederationEntry(this.#database, key, value, ttlMilliseconds(options));
  }

  async delete(key: KvKey): Promise<void> {
    await deleteFederationEntry(this.#database, key);
  }

  async cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    return compareAndSetFederationEntry(
      this.#database,
      key,
      expectedValue,
      newValue,
      ttlMilliseconds(options),
    );
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const entries = await listFederationEntries(this.#database, prefix);
    for (const entry of entries) {
      yield { key: entry.key as unknown as KvKey, value: entry.value };
    }
  }
}
