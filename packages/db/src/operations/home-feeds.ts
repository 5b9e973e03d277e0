/**
 * Precomputed home feeds (fan-out on write). The worker pushes each new status into the feeds of
 * its author's followers; follows, unfollows and deletions adjust the feeds; the read path
 * (`queries/home-timeline.ts`) reads a page of the feed and falls back to the pull query where the
 * feed does not cover it. Every operation is idempotent (a repeated event changes nothing) and
 * none is needed for correctness of what is shown: the read joins `statuses` and `follows` for the
 * page's rows, so a late or missing event can only leave an entry out, never show a wrong one.
 */
import { sql, type SQL } from 'drizzle-orm';
import { opaque, queryRows, type Database, type QueryOptions } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import { isUniqueViolation } from '../transaction.js';
import { asyncCommit } from './async-commit.js';
import { compressedPageImages } from './compressed-page-images.js';
import {
  authorListedExclusively,
  belongsInHome,
  belongsInList,
  followedTagIn,
  FAN_OUT_CHUNK,
  HEAVY_AUTHOR_FOLLOWERS,
  HOME_FEED_LENGTH,
  notSeenRecently,
  pullFollowedStatuses,
} from './home-feed-rules.js';

export interface FanOutResult {
  /** Followers the status was considered for. */
  followers: number;
  /** Entries added (fewer when replayed, or when the reply rule left followers out). */
  inserted: number;
}

/**
 * Runs a statement that inserts feed entries, first without `ON CONFLICT` (speculative insertion
 * cost about a third more CPU per row, measured: ARCHITECTURE.md), and when an entry already
 * existed (a feed build or a follow's backfill took it first, or the statement is a repeat) again
 * with `ON CONFLICT DO NOTHING`: the failed attempt rolled back whole, so nothing is done twice.
 */
async function insertingOnce<Row>(
  database: Database,
  statement: (onConflict: SQL) => SQL,
  options: QueryOptions = {},
): Promise<Row[]> {
  try {
    return await queryRows<Row>(database.primary, statement(sql``), options);
  } catch (error) {
    if (!isUniqueViolation(error, 'home_feed_entries_account_id_status_id_pk')) throw error;
    return queryRows<Row>(database.primary, statement(sql`on conflict do nothing`), options);
  }
}

/**
 * Pushes a status (a post or a boost) into the feed of each follower of its author,
 * `FAN_OUT_CHUNK` followers per statement (`fanOutChunk`), then into the feeds of the followers of
 * its hashtags and the lists holding its author (`fanOutToTagsAndLists`). A deleted status or a
 * direct message goes nowhere; a boost skips the feeds that show its original near the top.
 * Repeating it adds nothing. The caller's marker, written after it with a synchronous commit, is
 * flushed with every WAL record before it, so a marker that survives a crash implies chunks that
 * did. (The home-feeds consumer runs the chunks of a heavy author's post in its batches instead,
 * one at a time: `services/worker/src/home-feeds.ts`.)
 */
export async function fanOutStatus(database: Database, statusId: string): Promise<FanOutResult> {
  const total: FanOutResult = { followers: 0, inserted: 0 };
  for (let after: string | null = '0'; after !== null;) {
    const chunk = await fanOutChunk(database, statusId, after);
    total.followers += chunk.followers;
    total.inserted += chunk.inserted;
    after = chunk.next;
  }
  total.inserted += await fanOutToTagsAndLists(database, statusId);
  return total;
}

export interface FanOutChunkResult extends FanOutResult {
  /** The `after` of the next chunk; null when this one reached the last follower. */
  next: string | null;
}

/**
 * One statement of a chunked fan-out: the status into the feeds of the next `FAN_OUT_CHUNK`
 * followers of its author whose follow id is above `after` ('0' to start), committed on its own
 * without waiting for the WAL flush (`asyncCommit`), so a post with 100,000 followers holds no lock
 * or connection for long and other fan-outs run between its chunks.
 */
export async function fanOutChunk(
  database: Database,
  statusId: string,
  after: string,
): Promise<FanOutChunkResult> {
  if (!isSnowflakeId(statusId) || !/^\d{1,19}$/.test(after)) {
    return { followers: 0, inserted: 0, next: null };
  }
  const compressed = await compressedPageImages(database);
  const [row] = await insertingOnce<{ last: string | null; followers: number; inserted: number }>(
    database,
    (onConflict) => sql`
    with status as (
      select s.*, ${authorListedExclusively(sql`s`)} as listed_exclusively
      from statuses s where s.id = ${statusId}
    ),
    chunk as (
      select f.id, f.account_id from follows f
      where f.target_account_id = (select account_id from status) and f.id > ${after}
      order by f.id limit ${FAN_OUT_CHUNK}
    ),
    inserted as (
      insert into home_feed_entries (account_id, status_id, author_id, reblog_of_id)
      select c.account_id, s.id, s.account_id, s.reblog_of_id from chunk c cross join status s
      where ${belongsInHome(sql`s`, sql`c.account_id`, sql`c.id`, sql`s.listed_exclusively`)}
        and ${notSeenRecently(sql`s`, sql`c.account_id`)}
      ${onConflict}
      returning 1
    )
    select (select max(id)::text from chunk) as last, (select count(*)::int from chunk) as followers,
      (select count(*)::int from inserted) as inserted
    where ${asyncCommit} and ${compressed}`,
  );
  const followers = row?.followers ?? 0;
  return {
    followers,
    inserted: row?.inserted ?? 0,
    next: row?.last && followers >= FAN_OUT_CHUNK ? row.last : null,
  };
}

/**
 * The rest of the fan-out of one status, in one statement: the feeds of its hashtags' followers,
 * and the lists holding its author (list entries are not counted in the result).
 */
export async function fanOutToTagsAndLists(database: Database, statusId: string): Promise<number> {
  if (!isSnowflakeId(statusId)) return 0;
  const [row] = await queryRows<{ inserted: number }>(
    database.primary,
    sql`
    with status as (select * from statuses where id = ${statusId}),
    listed as (${insertIntoLists(sql`status`)}),
    inserted as (${insertForTagFollowers(sql`status`)} returning 1)
    select count(*)::int as inserted from inserted`,
  );
  return row?.inserted ?? 0;
}

/**
 * `insert ... select` of the statuses of relation `statuses` into the feeds of the lists holding
 * their authors, where `belongsInList` allows (one probe of `list_accounts_account_idx` each).
 */
function insertIntoLists(statuses: SQL): SQL {
  return sql`insert into list_feed_entries (list_id, status_id, author_id, reblog_of_id)
    select l.id, s.id, s.account_id, s.reblog_of_id
    from ${statuses} s join list_accounts m on m.account_id = s.account_id
      join lists l on l.id = m.list_id
    where ${belongsInList(sql`s`, sql`l`)}
    on conflict do nothing`;
}

/**
 * `insert ... select` of the statuses of relation `statuses` (named in the enclosing statement)
 * into the feeds of the accounts following one of their hashtags, where `followedTagIn` allows;
 * with `exceptFollowersOfAuthor`, not into the feeds the author's fan-out writes (a follower of
 * the author the home rules admit).
 */
function insertForTagFollowers(
  statuses: SQL,
  options: { exceptFollowersOfAuthor?: boolean } = {},
): SQL {
  const except = options.exceptFollowersOfAuthor
    ? sql`and not exists (select 1 from follows af
        where af.account_id = tf.account_id and af.target_account_id = s.account_id
          and ${belongsInHome(sql`s`, sql`af.account_id`, sql`af.id`, sql`s.listed_exclusively`)})`
    : sql``;
  return sql`insert into home_feed_entries (account_id, status_id, author_id, reblog_of_id)
    select distinct tf.account_id, s.id, s.account_id, s.reblog_of_id
    from ${statuses} s join status_tags stg on stg.status_id = s.id
      join tag_follows tf on tf.tag_id = stg.tag_id
    where ${followedTagIn(sql`s`, sql`tf.account_id`)} ${except}
    on conflict do nothing`;
}

export interface FanOutEvent {
  eventId: string;
  statusId: string;
}

/** `done`: fanned out and marked now; `duplicate`: marked before; `heavy`: left to `fanOutStatus`. */
export type FanOutOutcome = 'done' | 'duplicate' | 'heavy';

/**
 * The group-committed step of the home-feeds consumer: for the events handled at the same time,
 * one statement records their markers and fans out every status whose author has at most
 * `HEAVY_AUTHOR_FOLLOWERS` followers (the marker and the entries commit together). Statuses of
 * heavier authors are neither marked nor fanned out here: the caller runs `fanOutStatus` (chunked)
 * and then marks them, so one big fan-out never sits in a statement shared with small ones.
 *
 * The followers' rows are inserted without `ON CONFLICT` first (`insertingOnce`): the marker in
 * the same statement already makes a replayed event insert nothing.
 */
export async function fanOutStatusesOnce(
  database: Database,
  consumer: string,
  events: readonly FanOutEvent[],
): Promise<Map<string, FanOutOutcome>> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()].filter((e) =>
    isSnowflakeId(e.statusId),
  );
  const outcomes = new Map<string, FanOutOutcome>(events.map((e) => [e.eventId, 'duplicate']));
  if (unique.length === 0) return outcomes;
  // Prepared, its inputs opaque to the planner: planning it cost PostgreSQL more than running it
  // (3.7 ms against 2.9 ms a post at 20 posts/s, pg_stat_statements), and its best plan is the
  // same for any batch (index probes of each author's followers).
  const compressed = await compressedPageImages(database);
  const rows = await insertingOnce<{ eventId: string; heavy: boolean }>(
    database,
    (onConflict) => fanOutStatement(consumer, unique, onConflict, compressed),
    { prepared: true },
  );
  for (const row of rows) outcomes.set(row.eventId, row.heavy ? 'heavy' : 'done');
  return outcomes;
}

/**
 * The statement of `fanOutStatusesOnce`, committed without waiting for the WAL flush
 * (`asyncCommit`): the markers commit in the same transaction, so a crash that loses the last
 * fraction of a second of commits loses the entries and their markers together, and the
 * reconciler republishes those events (their outbox rows committed synchronously).
 */
function fanOutStatement(
  consumer: string,
  events: readonly FanOutEvent[],
  onConflict: SQL,
  compressed: SQL,
): SQL {
  return sql`
    with ev as (
      select e.event_id, e.status_id,
        coalesce((select a.followers_count from statuses s join accounts a on a.id = s.account_id
          where s.id = e.status_id), 0) > ${HEAVY_AUTHOR_FOLLOWERS} as heavy
      from unnest(${opaque(
        events.map((e) => e.eventId),
        'uuid[]',
      )}, ${opaque(
        events.map((e) => e.statusId),
        'bigint[]',
      )}) as e(event_id, status_id)
    ),
    marked as (
      insert into processed_events (consumer, event_id)
      select ${consumer}, event_id from ev where not heavy
      on conflict do nothing
      returning event_id
    ),
    -- Whether each author is in an exclusive list is asked once per status (fresh is
    -- materialized: three statements read it), not once per follower.
    fresh as (
      select s.*, ${authorListedExclusively(sql`s`)} as listed_exclusively
      from ev join marked using (event_id) join statuses s on s.id = ev.status_id
    ),
    inserted as (
      insert into home_feed_entries (account_id, status_id, author_id, reblog_of_id)
      select f.account_id, s.id, s.account_id, s.reblog_of_id
      from fresh s join follows f on f.target_account_id = s.account_id
      where ${belongsInHome(sql`s`, sql`f.account_id`, sql`f.id`, sql`s.listed_exclusively`)}
      ${onConflict}
    ),
    -- Tag followers whose row the insert above writes are left out here: the two inserts of one
    -- statement must not write the same row (the one above has no ON CONFLICT).
    tagged as (${insertForTagFollowers(sql`fresh`, { exceptFollowersOfAuthor: true })}),
    listed as (${insertIntoLists(sql`fresh`)})
    select event_id::text as "eventId", false as heavy from marked
    where ${asyncCommit} and ${compressed}
    union all
    select ev.event_id::text, true from ev
    where heavy and not exists (select 1 from processed_events p
      where p.consumer = ${consumer} and p.event_id = ev.event_id)`;
}

/**
 * Takes statuses (posts or boosts) out of the feeds they were pushed into: those of their authors'
 * followers and of their hashtags' followers. Statuses are soft deleted and the read skips deleted
 * ones already; this keeps the feeds short and the pages full. Repeating it removes nothing more.
 */
export async function removeStatusesFromFeeds(
  database: Database,
  statusIds: readonly string[],
): Promise<number> {
  const ids = [...new Set(statusIds.filter(isSnowflakeId))];
  let removed = 0;
  // A status deleted with 100,000 boosts: a bounded number of boosts per statement.
  for (let start = 0; start < ids.length; start += REMOVAL_BATCH) {
    const batch = ids.slice(start, start + REMOVAL_BATCH);
    const [row] = await queryRows<{ n: number }>(
      database.primary,
      sql`
      with gone as (
        select s.id, s.account_id from statuses s where s.id = any(${sql.param(batch)}::bigint[])
      ),
      readers as (
        select f.account_id, g.id from gone g join follows f on f.target_account_id = g.account_id
        union
        select tf.account_id, g.id from gone g join status_tags stg on stg.status_id = g.id
          join tag_follows tf on tf.tag_id = stg.tag_id
      ),
      removed as (
        delete from home_feed_entries e using readers r
        where e.account_id = r.account_id and e.status_id = r.id
        returning 1
      ),
      unlisted as (
        delete from list_feed_entries e using gone g, list_accounts m
        where m.account_id = g.account_id and e.list_id = m.list_id and e.status_id = g.id
      )
      select count(*)::int as n from removed`,
    );
    removed += row?.n ?? 0;
  }
  return removed;
}

const REMOVAL_BATCH = 100;

/** `removeStatusesFromFeeds` for one status. */
export async function removeStatusFromFeeds(database: Database, statusId: string): Promise<number> {
  return removeStatusesFromFeeds(database, [statusId]);
}

/**
 * After `readerId` follows `authorId`: the author's recent statuses go into the reader's feed (as
 * far back as the feed reaches), and when no other follow is waiting to be merged, the feed is
 * marked as reflecting this follow, so the next read does not rebuild it. Nothing to do for a feed
 * that was never built (its first read builds it), or when the follow no longer exists.
 */
export async function addAuthorToFeed(
  database: Database,
  readerId: string,
  authorId: string,
): Promise<number> {
  if (!isSnowflakeId(readerId) || !isSnowflakeId(authorId)) return 0;
  const rows = await queryRows<{ n: number }>(
    database.primary,
    sql`
    with st as (select * from home_feed_state where account_id = ${readerId}),
    follow as (
      select id from follows where account_id = ${readerId} and target_account_id = ${authorId}
    ),
    inserted as (
      insert into home_feed_entries (account_id, status_id, author_id, reblog_of_id)
      select ${readerId}, s.id, s.account_id, s.reblog_of_id from statuses s
      where exists (select 1 from follow) and s.account_id = ${authorId}
        and s.id >= (select complete_from_id from st)
        and ${belongsInHome(sql`s`, sql`${readerId}::bigint`)}
      order by s.id desc limit ${HOME_FEED_LENGTH}
      on conflict do nothing
      returning 1
    ),
    merged as (
      update home_feed_state st set follows_merged_before_id = (select id from follow) + 1
      where st.account_id = ${readerId} and st.follows_merged_before_id <= (select id from follow)
        and not exists (select 1 from follows o where o.account_id = ${readerId}
          and o.id >= st.follows_merged_before_id and o.id < (select id from follow))
    )
    select count(*)::int as n from inserted`,
  );
  return rows[0]?.n ?? 0;
}

export interface RemoveAuthorOptions {
  /** Also remove others' boosts of the author's statuses (a block or a mute; not an unfollow). */
  boostsOfAuthor?: boolean;
  /**
   * Remove nothing while the reader follows the author (an unfollow's event delivered again after
   * the reader followed back must not empty the feed).
   */
  unlessFollowing?: boolean;
}

/**
 * After an unfollow (or a block or mute): the author's entries leave the reader's feed, those that
 * came through a followed hashtag too (as Mastodon's unmerge).
 */
export async function removeAuthorFromFeed(
  database: Database,
  readerId: string,
  authorId: string,
  options: RemoveAuthorOptions = {},
): Promise<number> {
  if (!isSnowflakeId(readerId) || !isSnowflakeId(authorId)) return 0;
  const boosts = options.boostsOfAuthor
    ? sql`or exists (select 1 from statuses o where o.id = e.reblog_of_id and o.account_id = ${authorId})`
    : sql``;
  const stillFollowing = options.unlessFollowing
    ? sql`and not exists (select 1 from follows f
        where f.account_id = ${readerId} and f.target_account_id = ${authorId})`
    : sql``;
  const rows = await queryRows<{ n: number }>(
    database.primary,
    sql`
    with removed as (
      delete from home_feed_entries e
      where e.account_id = ${readerId} and (e.author_id = ${authorId} ${boosts}) ${stillFollowing}
      returning 1
    ),
    -- The author left the reader's lists with the follow (cascade): their list entries go too.
    unlisted as (
      delete from list_feed_entries e using lists l
      where l.account_id = ${readerId} and e.list_id = l.id and e.author_id = ${authorId}
        and not exists (select 1 from list_accounts m where m.list_id = l.id and m.account_id = ${authorId})
    )
    select count(*)::int as n from removed`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * True when the reader's feed must be built before it can be read: it never was, or the reader
 * followed someone since (that account's older posts would be missing). One probe of each index.
 */
export function homeFeedNeedsBuildCondition(reader: SQL): SQL {
  return sql`not exists (
    select 1 from home_feed_state st where st.account_id = ${reader}
      and not exists (select 1 from follows f
        where f.account_id = ${reader} and f.id >= st.follows_merged_before_id))`;
}

/**
 * Builds (or rebuilds) a reader's feed from the pull query: their newest `HOME_FEED_LENGTH` home
 * statuses, in one statement. The feed is then complete from the oldest of them (from the
 * beginning when there were fewer), and reflects every follow that existed. Entries pushed by
 * fan-outs meanwhile are kept (fan-out writes every follower's feed, built or not, so a status
 * committed after this statement's snapshot is still pushed by its own fan-out).
 */
export async function buildHomeFeed(database: Database, readerId: string): Promise<void> {
  if (!isSnowflakeId(readerId)) return;
  const reader = sql`${readerId}::bigint`;
  const picked = pullFollowedStatuses(reader, {
    where: sql`true`,
    ascending: false,
    limit: sql.raw(String(HOME_FEED_LENGTH)),
  });
  await queryRows(
    database.primary,
    sql`
    with picked as (${picked}),
    inserted as (
      insert into home_feed_entries (account_id, status_id, author_id, reblog_of_id)
      select ${reader}, s.id, s.account_id, s.reblog_of_id from picked p join statuses s on s.id = p.id
      on conflict do nothing
    ),
    coverage as (
      select case when count(*) < ${HOME_FEED_LENGTH} then 0 else min(id) end as complete_from_id
      from picked
    ),
    merged as (
      select coalesce(max(f.id) + 1, 0) as before from follows f where f.account_id = ${reader}
    )
    insert into home_feed_state (account_id, complete_from_id, follows_merged_before_id, built_at)
    select ${reader}, coverage.complete_from_id, merged.before, now() from coverage, merged
    on conflict (account_id) do update set complete_from_id = excluded.complete_from_id,
      follows_merged_before_id = excluded.follows_merged_before_id, built_at = excluded.built_at`,
  );
}

export interface TrimResult {
  /** The last account id of this batch: pass it as `afterAccountId` next; null when done. */
  lastAccountId: string | null;
  removed: number;
}

/**
 * Keeps each feed of a batch of accounts to its newest `HOME_FEED_LENGTH` entries, and raises the
 * feed's coverage to match (older pages then come from the pull query). The worker sweeps every
 * account with this, a batch per statement.
 */
export async function trimHomeFeeds(
  database: Database,
  options: { afterAccountId?: string; accounts?: number } = {},
): Promise<TrimResult> {
  const after =
    options.afterAccountId && isSnowflakeId(options.afterAccountId) ? options.afterAccountId : '0';
  const batch = Math.max(1, Math.min(options.accounts ?? 200, 10_000));
  const [row] = await queryRows<{ last: string | null; removed: number }>(
    database.primary,
    sql`
    with chunk as (select id from accounts where id > ${after} order by id limit ${batch}),
    cut as (
      select c.id as account_id, k.status_id as keep_from from chunk c cross join lateral (
        select e.status_id from home_feed_entries e where e.account_id = c.id
        order by e.status_id desc offset ${HOME_FEED_LENGTH - 1} limit 1) k
    ),
    removed as (
      delete from home_feed_entries e using cut
      where e.account_id = cut.account_id and e.status_id < cut.keep_from
      returning 1
    ),
    raised as (
      update home_feed_state st set complete_from_id = greatest(st.complete_from_id, cut.keep_from)
      from cut where st.account_id = cut.account_id
    )
    select (select max(id)::text from chunk) as last, (select count(*)::int from removed) as removed`,
  );
  return { lastAccountId: row?.last ?? null, removed: row?.removed ?? 0 };
}
