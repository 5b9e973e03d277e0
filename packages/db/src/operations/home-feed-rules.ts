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

/**
 * A boost whose original is already among the reader's newest `REBLOG_FALLOFF` feed entries (as
 * itself or as another boost) is not pushed again (Mastodon's number and rule).
 */
export const REBLOG_FALLOFF = 40;

/**
 * True when status `s` may go into the home of `reader` (an SQL expression for the reader's id):
 * `fitsReader`, and its author is in none of the reader's exclusive lists (whose members' posts
 * are read in the list only), a probe of `list_accounts_follow_idx` by the reader's follow of the
 * author: `follow` when the caller has joined it (the fan-out, the pull), else found by its unique
 * key. (As a join, the planner scanned every follow of each reader in a fan-out: 23 ms instead of
 * 1.4 ms per 1,000 followers.)
 *
 * `listedExclusively`, when given, is a column of `s` the caller computed once per status with
 * `authorListedExclusively`: when false (the author is in nobody's exclusive list, nearly always),
 * the per-row probe is skipped. The fan-out writes a row per follower, and the probe per row cost
 * more than half as much again as the insert itself with many lists (ARCHITECTURE.md).
 */
export function belongsInHome(s: SQL, reader: SQL, follow?: SQL, listedExclusively?: SQL): SQL {
  const followId =
    follow ??
    sql`(select xf.id from follows xf
      where xf.account_id = ${reader} and xf.target_account_id = ${s}.account_id)`;
  const notInExclusiveList = sql`not exists (
    select 1 from list_accounts xm join lists xl on xl.id = xm.list_id and xl.exclusive
    where xm.follow_id = ${followId})`;
  return listedExclusively
    ? sql`${fitsReader(s, reader)} and (not ${listedExclusively} or ${notInExclusiveList})`
    : sql`${fitsReader(s, reader)} and ${notInExclusiveList}`;
}

/**
 * True when the author of status `s` is a member of at least one exclusive list, anyone's: one
 * probe of `list_accounts_account_idx` per status, so that `belongsInHome` can skip the probe per
 * follower for everyone else.
 */
export function authorListedExclusively(s: SQL): SQL {
  return sql`exists (select 1 from list_accounts am join lists al on al.id = am.list_id and al.exclusive
    where am.account_id = ${s}.account_id)`;
}

/**
 * True when status `s` (by a member) may go into list `list` (an alias of `lists`): `fitsReader`
 * for the list's owner, and the list's `replies_policy` (Mastodon's): a reply to someone else than
 * the author or the owner shows with `followed` (the home rule: someone the owner follows), with
 * `list` only when it answers a member, never with `none`.
 */
export function belongsInList(s: SQL, list: SQL): SQL {
  return sql`${fitsReader(s, sql`${list}.account_id`)}
    and (${s}.in_reply_to_account_id is null
      or ${s}.in_reply_to_account_id in (${s}.account_id, ${list}.account_id)
      or ${list}.replies_policy = 'followed'
      or (${list}.replies_policy = 'list' and exists (select 1 from list_accounts rm
        where rm.list_id = ${list}.id and rm.account_id = ${s}.in_reply_to_account_id)))`;
}

/**
 * What any feed of `reader` may hold: not deleted, no direct message, a reply only when it answers
 * the author themself, the reader, or an account the reader follows. (A boost of the reader's own
 * post is shown, as Mastodon does once the post has left the top of the feed.)
 */
function fitsReader(s: SQL, reader: SQL): SQL {
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
 * True unless `s` is a boost whose original the reader's feed already shows near its top (the
 * original itself, or another boost of it): a status boosted by several followed accounts enters
 * the feed once. Fan-out only: it depends on what the feed holds when the boost arrives.
 */
export function notSeenRecently(s: SQL, reader: SQL): SQL {
  return sql`(${s}.reblog_of_id is null or not exists (
    select 1 from (select r.status_id, r.reblog_of_id from home_feed_entries r
      where r.account_id = ${reader} order by r.status_id desc limit ${sql.raw(String(REBLOG_FALLOFF))}) recent
    where recent.status_id = ${s}.reblog_of_id or recent.reblog_of_id = ${s}.reblog_of_id))`;
}

/**
 * True when public original `s` carries a hashtag `reader` follows: Mastodon pushes such posts to
 * the tag's followers, whether or not they follow the author (not boosts, not the reader's own
 * posts, no reply rule). A followed tag never reveals more than the public timeline does.
 */
export function followedTagIn(s: SQL, reader: SQL): SQL {
  return sql`${s}.deleted_at is null and ${s}.visibility = 'public' and ${s}.reblog_of_id is null
    and ${s}.account_id <> ${reader}
    and exists (select 1 from status_tags stg join tag_follows tf on tf.tag_id = stg.tag_id
      where stg.status_id = ${s}.id and tf.account_id = ${reader})`;
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
          and ${belongsInHome(sql`s`, reader, sql`f.id`)}
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
