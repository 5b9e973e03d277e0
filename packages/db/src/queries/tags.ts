/**
 * Hashtags as their own entities: one with its recent use and the viewer's relation to it, the ones
 * an account follows, the ones a profile features, and suggestions of which to feature.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { literalLimit, newestFirst, orderFor, pageConditions, type Page } from './pagination.js';
import type { FeaturedTagView, TagDetailView } from './views.js';

/** Days of use a Tag entity reports, today (UTC) first, as Mastodon does. */
export const TAG_HISTORY_DAYS = 7;

const snowflakeAt = (at: SQL) => sql`(floor(extract(epoch from ${at}) * 1000)::bigint << 16)`;

/**
 * The columns of a TagDetailView for the tag `t`. Each day's uses are public and unlisted statuses
 * that are not deleted; the status id range of the day (ids are time-sortable) keeps each count an
 * index range scan of status_tags.
 */
function tagDetailColumns(viewerId: string | null): SQL {
  const day = sql`(d.day at time zone 'UTC')`;
  const relation =
    viewerId === null
      ? sql`false as following, false as featuring`
      : sql`exists(select 1 from tag_follows tf where tf.tag_id = t.id and tf.account_id = ${viewerId}) as following,
        exists(select 1 from featured_tags ft where ft.tag_id = t.id and ft.account_id = ${viewerId}) as featuring`;
  return sql`t.id::text as id, t.name, t.display_name as "displayName",
    (select json_agg(json_build_object('day', ${day}, 'uses', u.uses, 'accounts', u.accounts) order by d.day desc)
      from generate_series((now() at time zone 'UTC')::date - ${TAG_HISTORY_DAYS - 1}::int,
        (now() at time zone 'UTC')::date, interval '1 day') as d(day)
      cross join lateral (
        select count(*)::int as uses, count(distinct s.account_id)::int as accounts
        from status_tags st join statuses s on s.id = st.status_id
        where st.tag_id = t.id
          and st.status_id >= ${snowflakeAt(day)} and st.status_id < ${snowflakeAt(sql`${day} + interval '1 day'`)}
          and s.deleted_at is null and s.visibility in ('public', 'unlisted')) u) as history,
    ${relation}`;
}

interface TagDetailRow extends Omit<TagDetailView, 'history'> {
  history: { day: string; uses: number; accounts: number }[];
}

function toTagDetail(row: TagDetailRow): TagDetailView {
  return { ...row, history: row.history.map((h) => ({ ...h, day: new Date(h.day) })) };
}

/** Hashtags by id, in the order given, with history and the viewer's relation. One statement. */
export async function tagDetailsByIds(
  executor: Executor,
  ids: readonly string[],
  viewerId: string | null,
): Promise<TagDetailView[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<TagDetailRow>(
    executor,
    sql`select ${tagDetailColumns(viewerId)}
    from unnest(${sql.param([...ids])}::bigint[]) with ordinality as wanted(id, place)
    join tags t on t.id = wanted.id
    order by wanted.place`,
  );
  return rows.map(toTagDetail);
}

/** A hashtag by normalized name with its history and the viewer's relation, or null. One statement. */
export async function findTagDetails(
  executor: Executor,
  name: string,
  viewerId: string | null,
): Promise<TagDetailView | null> {
  const rows = await queryRows<TagDetailRow>(
    executor,
    sql`select ${tagDetailColumns(viewerId)} from tags t where t.name = ${name}`,
  );
  return rows[0] ? toTagDetail(rows[0]) : null;
}

export interface FollowedTagsPage {
  tags: TagDetailView[];
  /** Follow ids of the first and last entries: the list is paged by when each was followed. */
  firstCursor: string | null;
  lastCursor: string | null;
}

/** The hashtags an account follows, most recently followed first. One statement. */
export async function followedTags(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<FollowedTagsPage> {
  const { where, ascending } = pageConditions(sql`tf.id`, page);
  const rows = await queryRows<TagDetailRow & { cursor: string }>(
    executor,
    sql`select f.cursor, ${tagDetailColumns(accountId)}
    from (select tf.id::text as cursor, tf.id, tf.tag_id from tag_follows tf
      where tf.account_id = ${accountId} and ${where}
      order by ${orderFor(sql`tf.id`, ascending)} limit ${literalLimit(page.limit)}) f
    join tags t on t.id = f.tag_id
    order by ${orderFor(sql`f.id`, ascending)}`,
  );
  const ordered = newestFirst(rows, ascending);
  return {
    tags: ordered.map(({ cursor: _cursor, ...row }) => toTagDetail(row)),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}

/**
 * The hashtags a profile features, in the order they were featured, each with how many of the
 * account's public and unlisted statuses use it and the day of the last one.
 */
export async function featuredTagsOf(
  executor: Executor,
  accountId: string,
): Promise<FeaturedTagView[]> {
  return queryRows<FeaturedTagView>(
    executor,
    sql`select ft.id::text as id, t.name, u.count as "statusesCount", u.last::date::text as "lastStatusAt"
    from featured_tags ft join tags t on t.id = ft.tag_id
    cross join lateral (
      select count(*)::int as count, max(s.created_at) as last
      from status_tags st join statuses s on s.id = st.status_id
      where st.tag_id = ft.tag_id and s.account_id = ft.account_id
        and s.deleted_at is null and s.visibility in ('public', 'unlisted')) u
    where ft.account_id = ${accountId}
    order by ft.id`,
  );
}

/** The hashtags an account used most in its recent statuses, not featured yet (up to `limit`). */
export async function featuredTagSuggestions(
  executor: Executor,
  accountId: string,
  limit = 10,
): Promise<TagDetailView[]> {
  const rows = await queryRows<TagDetailRow>(
    executor,
    sql`select ${tagDetailColumns(accountId)}
    from (select st.tag_id, count(*) as uses, max(st.status_id) as latest
      from (select s.id from statuses s
        where s.account_id = ${accountId} and s.deleted_at is null
        order by s.id desc limit 200) recent
      join status_tags st on st.status_id = recent.id
      where not exists (select 1 from featured_tags ft
        where ft.account_id = ${accountId} and ft.tag_id = st.tag_id)
      group by st.tag_id
      order by uses desc, latest desc limit ${literalLimit(limit)}) used
    join tags t on t.id = used.tag_id
    order by used.uses desc, used.latest desc`,
  );
  return rows.map(toTagDetail);
}
