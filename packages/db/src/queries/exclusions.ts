/**
 * What a viewer's blocks and mutes hide, as SQL fragments every read of statuses goes through (the
 * timelines, the home feed, threads, search, favourites and bookmarks; `visibleTo` for the blocks
 * against the viewer), so REST, the website and the streaming API cannot disagree. Applied when
 * reading, never by deleting feed entries: an unblock, an unmute or a mute's expiry restores the
 * view at once, without a job.
 *
 * The excluded accounts are an uncorrelated subquery (the viewer's id only): PostgreSQL runs it
 * once per statement and probes it as a hash, so a page costs the same whatever the number of
 * statuses it scans, and a viewer who blocks or mutes nobody pays one empty index probe per list.
 */
import { sql, type SQL } from 'drizzle-orm';

export interface ExclusionOptions {
  /** Hide the viewer's muted accounts too (timelines, threads, search; not a profile's posts). */
  mutes: boolean;
}

/** A mute in force: expired mutes are ignored at once, wherever or whenever they are read. */
export function muteInForce(mute: string): SQL {
  return sql.raw(`(${mute}.expires_at is null or ${mute}.expires_at > now())`);
}

/**
 * The accounts `account` blocks and those that block it: a block hides either from the other, so
 * this one set serves both sides (`excludedAccountIds` and `accountsExcluding`).
 */
function blockedEitherWay(account: SQL): SQL {
  return sql`select xb.target_account_id from blocks xb where xb.account_id = ${account}
    union all select xb.account_id from blocks xb where xb.target_account_id = ${account}`;
}

/**
 * The ids of the accounts whose posts the viewer never sees in a list: those the viewer blocks,
 * those who block the viewer, those of the servers the viewer blocks and, with `mutes`, those the
 * viewer mutes.
 */
export function excludedAccountIds(viewer: SQL, options: ExclusionOptions): SQL {
  const muted = options.mutes
    ? sql` union all select xm.target_account_id from mutes xm
        where xm.account_id = ${viewer} and ${muteInForce('xm')}`
    : sql``;
  // The accounts of the servers the viewer blocks (account_domain_blocks): from the viewer's few
  // blocked domains to their accounts by the partial index on `accounts.domain`.
  return sql`(${blockedEitherWay(viewer)}
    union all select xa.id from account_domain_blocks xd join accounts xa on xa.domain = xd.domain
      where xd.account_id = ${viewer}${muted})`;
}

/**
 * `excludedAccountIds` turned around: the ids of the accounts that have `author` (an SQL expression
 * for an account id) among their excluded accounts: those it blocks or is blocked by, those who
 * block its server and, with `mutes`, those who mute it. The streaming API asks this once per
 * event instead of `excludedAccountIds` once per viewer; the two must stay one rule
 * (tests/streaming-audiences.test.ts compares them). It reads every excluder of the author, by
 * the indexes on the target side: one index range per event rather than four probes per viewer,
 * cheaper as long as an author has fewer excluders than the viewers asked about (most have none).
 */
export function accountsExcluding(author: SQL, options: ExclusionOptions): SQL {
  const muting = options.mutes
    ? sql` union all select xm.account_id from mutes xm
        where xm.target_account_id = ${author} and ${muteInForce('xm')}`
    : sql``;
  return sql`(${blockedEitherWay(author)}
    union all select xd.account_id from accounts xa join account_domain_blocks xd on xd.domain = xa.domain
      where xa.id = ${author} and xa.domain is not null${muting})`;
}

/** The accounts `author` blocks: the viewers `authorDoesNotBlock` turns away, read from the author's side. */
export function accountsBlockedBy(author: SQL): SQL {
  return sql`(select vb.target_account_id from blocks vb where vb.account_id = ${author})`;
}

/**
 * True when status `s` (a table alias) is not hidden from the viewer by a block (either way) or,
 * with `mutes`, a mute: neither its author nor, for a boost, the boosted post's author is excluded.
 * `viewerId` is the id or an SQL expression for it (`opaque`, in a prepared statement). Without a
 * viewer, always true.
 */
export function notExcludedFor(
  s: string,
  viewerId: string | SQL | null | undefined,
  options: ExclusionOptions,
): SQL {
  if (!viewerId) return sql`true`;
  const viewer = sql`${viewerId}::bigint`;
  const status = sql.raw(s);
  return sql`(${status}.account_id not in ${excludedAccountIds(viewer, options)}
    and (${status}.reblog_of_id is null or (select xo.account_id from statuses xo
      where xo.id = ${status}.reblog_of_id) not in ${excludedAccountIds(viewer, options)}))`;
}

/** True when the author of status `s` does not block the viewer (an SQL expression for its id). */
export function authorDoesNotBlock(s: SQL, viewer: SQL): SQL {
  return sql`not exists (select 1 from blocks vb
    where vb.account_id = ${s}.account_id and vb.target_account_id = ${viewer})`;
}

/** A block stands between the two accounts, either way (neither may then follow the other). */
export function blockBetween(accountId: string, otherId: string): SQL {
  return sql`exists (select 1 from blocks b
    where (b.account_id = ${accountId} and b.target_account_id = ${otherId})
      or (b.account_id = ${otherId} and b.target_account_id = ${accountId}))`;
}
