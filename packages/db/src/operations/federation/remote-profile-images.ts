/**
 * The cached copies of remote accounts' avatars and headers: the worker fetches the image at the
 * account's current URL (`remote_avatar_url`, `remote_header_url`), processes it as an upload is
 * processed, and records its storage key in `avatar_key` / `header_key`, where readers take it
 * from before falling back to the remote URL. A key is recorded only if the URL it was fetched
 * from is still the account's (a newer profile may have arrived meanwhile).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { mediaRejectedAt } from '../../queries/instance-domain-blocks.js';
import type { ProfileImageKind } from '../media/profile-images.js';

export interface RemoteProfileImages {
  avatarUrl: string | null;
  headerUrl: string | null;
  /**
   * The account's domain when an instance domain block rejects its media (`reject_media`, or a
   * suspension): nothing is fetched from it.
   */
  mediaRejectedFrom: string | null;
}

/** A remote account's image URLs now; null for a local or unknown account. */
export async function findRemoteProfileImages(
  database: Database,
  accountId: string,
): Promise<RemoteProfileImages | null> {
  if (!isSnowflakeId(accountId)) return null;
  const [row] = await queryRows<RemoteProfileImages>(
    database.primary,
    sql`select a.remote_avatar_url as "avatarUrl", a.remote_header_url as "headerUrl",
        case when ${mediaRejectedAt(sql`a.domain`)} then a.domain end as "mediaRejectedFrom"
      from accounts a where a.id = ${accountId} and a.domain is not null`,
  );
  return row ?? null;
}

/**
 * Records `key` (null: none) as the cached `kind` of the remote account if its URL is still
 * `url`. Returns the key no longer pointed at, for the caller to delete: the replaced one, or
 * `key` itself when it was not recorded (never a key still in use).
 */
export async function recordCachedRemoteProfileImage(
  database: Database,
  input: { accountId: string; kind: ProfileImageKind; url: string | null; key: string | null },
): Promise<{ unusedKey: string | null }> {
  const keyColumn = sql.raw(input.kind === 'avatar' ? 'avatar_key' : 'header_key');
  const urlColumn = sql.raw(input.kind === 'avatar' ? 'remote_avatar_url' : 'remote_header_url');
  const [row] = await queryRows<{ previousKey: string | null; recorded: boolean }>(
    database.primary,
    sql`with old as (
        select id, ${keyColumn} as key from accounts
        where id = ${input.accountId} and domain is not null for update
      ),
      recorded as (
        update accounts a set ${keyColumn} = ${input.key} from old
        where a.id = old.id and a.${urlColumn} is not distinct from ${input.url}::text
        returning 1
      )
      select (select key from old) as "previousKey", exists (select 1 from recorded) as recorded`,
  );
  const previousKey = row?.previousKey ?? null;
  if (previousKey === input.key) return { unusedKey: null };
  return { unusedKey: row?.recorded ? previousKey : input.key };
}
