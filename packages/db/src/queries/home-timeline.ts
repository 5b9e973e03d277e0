/**
 * The home timeline read from the precomputed feed (`operations/home-feeds.ts`). A page is one
 * index range scan of the reader's feed entries plus one of the reader's own statuses that sort
 * into it (their own posts show at once, before any fan-out), so its cost depends on the page size
 * only. That statement is prepared: its plan does not depend on the reader, and planning the
 * hydrated statement afresh cost more than running it. Where the feed does not cover the page
 * (never built, or the page reaches below what the feed keeps), it says so, and the page is read
 * again by the statement that also runs the pull query for the uncovered part, planned for the
 * reader (the pull's best plan depends on whom they follow).
 */
import { sql, type SQL } from 'drizzle-orm';
import { opaque, queryRows, type Database, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import { buildHomeFeed, homeFeedNeedsBuildCondition } from '../operations/home-feeds.js';
import { followedTagIn, pullFollowedStatuses } from '../operations/home-feed-rules.js';
import { excludedAccountIds } from './exclusions.js';
import { hydrateSelection, type StatusSelection } from './hydrate.js';
import { literalLimit, orderFor, pageConditions, type Page } from './pagination.js';
import type { StatusView } from './views.js';

const PAGE_GROUP = 0;
/**
 * A row in this group (one of the page's statuses, repeated) says the feed must be built (never
 * built, or older than one of the reader's follows): the signal rides on the page, so a page costs
 * one statement.
 */
const NEEDS_BUILD_GROUP = 1;
/**
 * A row in this group says the feed alone does not cover the page: the statement without the pull
 * query (`pull: false`) answered it, and the page must be read with the pull query.
 */
const PULL_NEEDED_GROUP = 2;

/**
 * The page's status ids from the feed and the reader's own posts and, with `pull` (the default)
 * and where needed, the pull query. Without `pull`, a row of PULL_NEEDED_GROUP says it was needed.
 */
export function homePageSelection(
  readerId: string,
  page: Page,
  { pull }: { pull: boolean } = { pull: true },
): StatusSelection {
  // Without the pull query the plan is the same for every reader: hidden from the planner, the
  // values let PostgreSQL settle on one plan after five executions (`opaque`).
  const value = (id: string) => (pull ? sql`${id}::bigint` : opaque(id, 'bigint'));
  const reader = value(readerId);
  const limit = literalLimit(page.limit);
  const onEntry = pageConditions(sql`e.status_id`, page);
  const onStatus = pageConditions(sql`s.id`, page);
  const ascending = onEntry.ascending;
  const lowerBound = pageLowerBound(page);
  const floor = sql`(select complete_from_id from st)`;
  // Once the feed fills the page, the reader's own posts beyond its last entry cannot be on it.
  const ownSortsIntoPage = ascending
    ? sql`s.id < coalesce((select max(id) from feed having count(*) >= ${limit}), 9223372036854775807)`
    : sql`s.id > coalesce((select min(id) from feed having count(*) >= ${limit}), 0)`;
  // The pull query runs only when the feed is missing, or when the page reaches below the feed's
  // coverage and the feed alone cannot fill it.
  const pullNeeded: SQL = sql`(not ${feedCovers(value(lowerBound))} and (${
    ascending ? sql`true` : sql`(select count(*) from feed) < ${limit}`
  }))`;
  return sql`
    with st as (select complete_from_id from home_feed_state where account_id = ${reader}),
    ex as (select target_account_id as id from ${excludedAccountIds(reader, { mutes: true })} x),
    feed as (
      -- The checks are scalar subqueries, not joins, on purpose: each runs for an entry the ordered
      -- scan of the reader's key range reaches, and the scan stops at the page's LIMIT (as joins
      -- the planner may read the whole feed first when the tables are small).
      select e.status_id as id from home_feed_entries e
      where e.account_id = ${reader} and e.status_id >= ${floor} and ${onEntry.where}
        and (select s.deleted_at is null from statuses s where s.id = e.status_id)
        and (e.reblog_of_id is null
          or (select o.deleted_at is null from statuses o where o.id = e.reblog_of_id))
        -- Still followed, or (only then looked up) a public post with a hashtag the reader follows.
        and coalesce((select true from follows f
          where f.account_id = ${reader} and f.target_account_id = e.author_id),
          (select true from statuses t where t.id = e.status_id and ${followedTagIn(sql`t`, reader)}))
        and ${notExcludedFromHome(sql`e.status_id`, sql`e.author_id`, sql`e.reblog_of_id`)}
      order by ${orderFor(sql`e.status_id`, ascending)} limit ${limit}
    ),
    own as (
      -- Once the feed fills the page, only the reader's posts that would sort into it are read
      -- (newer than its last entry): an ordinary page reads the feed's rows and few or none here.
      select s.id from statuses s
      where s.account_id = ${reader} and s.deleted_at is null and s.visibility <> 'direct'
        and ${onStatus.where}
        and ${ownSortsIntoPage}
      order by ${orderFor(sql`s.id`, ascending)} limit ${limit}
    ),
    ${pull ? pulledStatuses({ reader, where: onStatus.where, ascending, limit, floor, pullNeeded }) : sql``}
    page as (
      select id from (
        select id from feed union all select id from own ${pull ? sql`union all select id from pulled` : sql``}
      ) u order by ${orderFor(sql`id`, ascending)} limit ${limit}
    )
    select p.id, row_number() over (order by p.id desc) as ord, ${sql.raw(String(PAGE_GROUP))} as grp from page p
    union all
    select id, 0, ${sql.raw(String(NEEDS_BUILD_GROUP))} from (select id from page limit 1) flag
    where ${homeFeedNeedsBuildCondition(reader)}
    ${
      pull
        ? sql``
        : sql`union all
    select id, 0, ${sql.raw(String(PULL_NEEDED_GROUP))} from (select id from page limit 1) flag
    where ${pullNeeded}`
    }`;
}

/** The pull query's part of a page (`homePageSelection`), as a CTE named `pulled`. */
function pulledStatuses(parts: {
  reader: SQL;
  /** The page's conditions on `s.id`. */
  where: SQL;
  ascending: boolean;
  limit: SQL;
  /** Where the feed's coverage starts. */
  floor: SQL;
  pullNeeded: SQL;
}): SQL {
  const { reader, where, ascending, limit, floor, pullNeeded } = parts;
  return sql`pulled as (
      -- Exclusions after the pull (once, not in each of its plans): a page the fallback answers
      -- may come out shorter than the limit for a reader who mutes accounts they follow.
      select p.id from (${pullFollowedStatuses(reader, {
        where: sql`${where} and s.id < coalesce(${floor}, 9223372036854775807)`,
        ascending,
        limit,
      })}) p join statuses ps on ps.id = p.id
      where ${pullNeeded} and ${notExcludedFromHome(sql`ps.id`, sql`ps.account_id`, sql`ps.reblog_of_id`)}
    ),`;
}

/**
 * Blocks (either way) and mutes hide a status from the home when it is by, boosts, or mentions an
 * account in `ex` (the statement's CTE of the reader's excluded accounts), as Mastodon's FeedManager
 * does. Read here rather than at fan-out, so that undoing one restores the feed at once. Scalar
 * subqueries, so the feed's ordered scan still stops at the LIMIT (an anti-join would make the
 * planner read the whole feed and sort it); a reader who excludes nobody skips them all.
 */
function notExcludedFromHome(statusId: SQL, authorId: SQL, reblogOfId: SQL): SQL {
  // Bare boolean subqueries, not comparisons: the planner's default selectivity for `(…) = 0` is
  // 0.5 %, which made it read and sort the whole feed instead of stopping at the LIMIT.
  return sql`(not exists (select 1 from ex) or (
    ${authorId} not in (select id from ex)
    and (${reblogOfId} is null
      or (select o.account_id not in (select id from ex) from statuses o where o.id = ${reblogOfId}))
    and (select not exists (select 1 from mentions hm
      where hm.status_id = coalesce(${reblogOfId}, ${statusId}) and hm.account_id in (select id from ex)))))`;
}

/**
 * The reader's feed (its state in relation `st`) was built and holds every home status down to
 * `lowerBound`: a page reaching no lower needs no pull query.
 */
function feedCovers(lowerBound: SQL): SQL {
  return sql`exists (select 1 from st where st.complete_from_id <= ${lowerBound})`;
}

/** The id a page must reach down to (`min_id` or `since_id`, the higher), '0' for none. */
function pageLowerBound(page: Page): string {
  return [page.minId, page.sinceId].filter(isSnowflakeId).sort(compareIds).at(-1) ?? '0';
}

/**
 * Whether the reader's feed must be built (`homeFeedNeedsBuildCondition`), and whether it holds
 * everything down to `lowerBound` (it was built, and what it keeps reaches that far). Asked when a
 * page from the feed came out empty, and so could not carry the statement's own answers.
 */
async function homeFeedState(
  executor: Executor,
  readerId: string,
  lowerBound: string,
): Promise<{ needsBuild: boolean; covers: boolean }> {
  const reader = sql`${readerId}::bigint`;
  const [row] = await queryRows<{ needsBuild: boolean; covers: boolean }>(
    executor,
    sql`with st as (select complete_from_id from home_feed_state where account_id = ${reader})
      select ${homeFeedNeedsBuildCondition(reader)} as "needsBuild",
        ${feedCovers(sql`${lowerBound}::bigint`)} as covers`,
    { prepared: true },
  );
  return { needsBuild: row?.needsBuild ?? true, covers: row?.covers === true };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The reader's own posts and those of the accounts they follow, with boosts, newest first; no
 * direct messages; replies only to the author themself, the reader or someone the reader follows.
 * A page the feed covers is one prepared statement on the replica. When it says the feed does not
 * cover the page, the page is read again with the pull query. When it says the feed was never
 * built, or predates one of the reader's follows, the feed is built on the primary and the page
 * read again there (a replica may lag behind the build). An empty page, which could carry neither
 * answer, asks the feed's state on its own.
 */
export async function homeTimeline(
  database: Database,
  viewerId: string,
  page: Page,
): Promise<StatusView[]> {
  if (!isSnowflakeId(viewerId)) return [];
  const read = async (executor: Executor, pull: boolean) =>
    hydrateSelection(executor, homePageSelection(viewerId, page, { pull }), viewerId, {
      // The pull branch is planned each time: its best plan depends on the reader.
      prepared: !pull,
      filterContext: 'home',
      // The signals ride on a page row, whether or not the reader's filters hide it.
      keepHiddenIn: [NEEDS_BUILD_GROUP, PULL_NEEDED_GROUP],
    });
  const rebuilt = async () => {
    await buildHomeFeed(database, viewerId);
    return (await read(database.primary, true)).get(PAGE_GROUP) ?? [];
  };
  let groups = await read(database.replica, false);
  let statuses = groups.get(PAGE_GROUP) ?? [];
  if (statuses.length === 0) {
    // An empty page could not carry the statement's signals: asked on their own, on the primary,
    // where a build would happen.
    const feed = await homeFeedState(database.primary, viewerId, pageLowerBound(page));
    if (feed.needsBuild) return rebuilt();
    return feed.covers ? [] : ((await read(database.replica, true)).get(PAGE_GROUP) ?? []);
  }
  if (groups.has(PULL_NEEDED_GROUP)) {
    groups = await read(database.replica, true);
    statuses = groups.get(PAGE_GROUP) ?? [];
  }
  return groups.has(NEEDS_BUILD_GROUP) ? rebuilt() : statuses;
}

/**
 * EXPLAIN (ANALYZE, FORMAT JSON) of the page statement's selection (without hydration), for the
 * benchmark: what a page reads, whatever the machine's speed. By default the statement a page the
 * feed covers costs (without the pull query); `pull: true` for the one that reads the uncovered
 * part. Without per-node timing: its clock reads add to what is measured
 * (`bench/src/home-profiles.ts`).
 */
export async function explainHomePage(
  executor: Executor,
  readerId: string,
  page: Page,
  { pull }: { pull: boolean } = { pull: false },
): Promise<unknown> {
  const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(
    executor,
    sql`explain (analyze, timing off, format json) ${homePageSelection(readerId, page, { pull })}`,
  );
  return row?.['QUERY PLAN'];
}
