/**
 * What belongs in a reader's home, as SQL fragments shared by the fan-out (write side), the feed
 * build and the pull fallback (read side), so the precomputed feed and the pull query can never
 * disagree. Mastodon's rules: a followed account's posts and boosts, followers-only posts included
 * (they are only ever pushed to followers), never direct messages; a reply only when it answers
 * the author themself, the reader, or an account the reader follows.
 */
import { sql, type SQL } from 'drizzle-orm';

/** Entries kept per feed (Mastodon keeps 800); older pages come from the pull query. */
export const HOME_FEED_LENGTH = 800;

/** Authors with more followers are fanned out in chunks, so one post never holds others up. */
export const HEAVY_AUTHOR_FOLLOWERS = 10_000;

/** Followers per fan-out statement for a heavy author (about 50 ms of work each, measured). */
export const FAN_OUT_CHUNK = 5_000;

/**
 * Readers following up to this many accounts are pulled with one index probe per followed account
 * (LATERAL); above it, a backwards scan of recent statuses finds enough of them sooner.
 */
export const LATERAL_PULL_MAX_FOLLOWS = 200;

/** True when status `s` may go into the home of `reader` (an SQL expression for the reader's id). */
export function belongsInHome(s: SQL, reader: SQL): SQL {
  return sql`${s}.deleted_at is null and ${s}.visibility <> 'direct'
    and (${s}.in_reply_to_account_id is null
      or ${s}.in_reply_to_account_id = ${s}.account_id
      or ${s}.in_reply_to_account_id = ${reader}
      or exists (select 1 from follows rf
        where rf.account_id = ${reader} and rf.target_account_id = ${s}.in_reply_to_account_id))`;
}

export interface PullBounds {
  /** Conditions on `s.id` (the page's bounds, and the feed's coverage). */
  where: SQL;
  ascending: boolean;
  limit: SQL;
}

/**
 * The ids of the newest (or, ascending, oldest) statuses of the accounts `reader` follows within
 * the bounds, without the feed: the way to answer a page the feed does not cover, and to build a
 * feed. Which plan runs is chosen in the statement by the reader's follow count (one-time filters:
 * the other branch is never executed). Neither is flat on its own (see ARCHITECTURE.md), which is
 * why this is only a fallback.
 */
export function pullFollowedStatuses(reader: SQL, bounds: PullBounds): SQL {
  const order = bounds.ascending ? sql`asc` : sql`desc`;
  const followCount = sql`(select a.following_count from accounts a where a.id = ${reader})`;
  return sql`
    select id from (
      select x.id from follows f cross join lateral (
        select s.id from statuses s
        where s.account_id = f.target_account_id and ${bounds.where}
          and ${belongsInHome(sql`s`, reader)}
        order by s.id ${order} limit ${bounds.limit}) x
      where f.account_id = ${reader} and ${followCount} <= ${LATERAL_PULL_MAX_FOLLOWS}
      union all
      (select s.id from statuses s
        where s.account_id in (select f.target_account_id from follows f where f.account_id = ${reader})
          and ${bounds.where} and ${belongsInHome(sql`s`, reader)}
          and ${followCount} > ${LATERAL_PULL_MAX_FOLLOWS}
        order by s.id ${order} limit ${bounds.limit})
    ) pulled order by id ${order} limit ${bounds.limit}`;
}
