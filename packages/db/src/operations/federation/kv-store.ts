/**
 * The storage behind Fedify's key–value store (`federation_kv`): remote documents and keys it
 * caches, incoming activity ids it has seen. Values are JSON. An entry whose `expires_at` has passed
 * reads as absent; writes replace it, and {@link deleteExpiredFederationEntries} removes the rest.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { queryRows } from '../../client.js';

/** A Fedify key path: one or more parts. */
export type FederationKey = readonly string[];

const live = sql`(expires_at is null or expires_at > now())`;

function expiry(ttlMs: number | undefined) {
  return ttlMs === undefined ? sql`null` : sql`now() + ${ttlMs} * interval '1 millisecond'`;
}

export async function getFederationEntry(database: Database, key: FederationKey): Promise<unknown> {
  const rows = await queryRows<{ value: unknown }>(
    database.primary,
    sql`select value from federation_kv where key = ${sql.param(key)}::text[] and ${live}`,
  );
  return rows[0]?.value;
}

export async function setFederationEntry(
  database: Database,
  key: FederationKey,
  value: unknown,
  ttlMs?: number,
): Promise<void> {
  await database.primary.execute(
    sql`insert into federation_kv (key, value, expires_at)
      values (${sql.param(key)}::text[], ${JSON.stringify(value)}::jsonb, ${expiry(ttlMs)})
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`,
  );
}

export async function deleteFederationEntry(database: Database, key: FederationKey): Promise<void> {
  await database.primary.execute(
    sql`delete from federation_kv where key = ${sql.param(key)}::text[]`,
  );
}

/**
 * Sets the entry only if it currently holds `expected` (`undefined`: only if it is absent or
 * expired), atomically; true when it was set.
 */
export async function compareAndSetFederationEntry(
  database: Database,
  key: FederationKey,
  expected: unknown,
  value: unknown,
  ttlMs?: number,
): Promise<boolean> {
  const json = JSON.stringify(value);
  const rows =
    expected === undefined
      ? await queryRows(
          database.primary,
          sql`insert into federation_kv (key, value, expires_at)
            values (${sql.param(key)}::text[], ${json}::jsonb, ${expiry(ttlMs)})
            on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at
              where federation_kv.expires_at is not null and federation_kv.expires_at <= now()
            returning 1`,
        )
      : await queryRows(
          database.primary,
          sql`update federation_kv set value = ${json}::jsonb, expires_at = ${expiry(ttlMs)}
            where key = ${sql.param(key)}::text[] and ${live}
              and value = ${JSON.stringify(expected)}::jsonb
            returning 1`,
        );
  return rows.length > 0;
}

/** Live entries whose key starts with `prefix` (all of them without one), in key order. */
export async function listFederationEntries(
  database: Database,
  prefix: FederationKey = [],
): Promise<{ key: string[]; value: unknown }[]> {
  const matches =
    prefix.length === 0 ? sql`true` : sql`key[1:${prefix.length}] = ${sql.param(prefix)}::text[]`;
  return queryRows<{ key: string[]; value: unknown }>(
    database.primary,
    sql`select key, value from federation_kv where ${matches} and ${live} order by key`,
  );
}

/** Removes expired entries (retention); returns how many. */
export async function deleteExpiredFederationEntries(database: Database): Promise<number> {
  const rows = await queryRows(
    database.primary,
    sql`delete from federation_kv where expires_at <= now() returning 1`,
  );
  return rows.length;
}
