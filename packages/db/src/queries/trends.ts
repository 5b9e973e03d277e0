/**
 * What is trending: hashtags more people use today than usual, and public posts that many people
 * favourite and boost, newest interactions counting most. Both are rankings the API computes every few
 * minutes and caches (a ranking reads a day or two of statuses); each request then reads its page of
 * entities for its viewer through the usual queries, so visibility and the viewer's own state apply.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { literalLimit } from './pagination.js';

/** At least this many different accounts must have used a hashtag in the last 24 hours. */
export const TRENDING_TAG_MIN_ACCOUNTS = 2;
/** At least this many favourites and boosts together make a status a candidate. */
export const TRENDING_STATUS_MIN_INTERACTIONS = 2;
/** A status's score halves every this many hours after it was posted. */
export const TRENDING_STATUS_HALF_LIFE_HOURS = 6;
/** Only statuses posted in the last this many hours can trend. */
export const TRENDING_STATUS_MAX_AGE_HOURS = 48;
/** How many of each a ranking keeps: the deepest page a client can ask for. */
export const TRENDS_RANKING_SIZE = 200;

/** The first snowflake id of the instant `interval` ago (ids are time-sortable). */
const idSince = (interval: SQL) =>
  sql`(floor(extract(epoch from now() - ${interval}) * 1000)::bigint << 16)`;

/**
 * Ids of trending hashtags, best first. A tag's score compares how many accounts used it in public
 * posts in the last 24 hours (observed) with how many a day used it over the six days before
 * (expected, at least 1): (observed − expected)² / expected when observed is larger, as Mastodon
 * ranks trends — a tag everyone always uses does not trend, a sudden one does. Accounts are
 * counted, not posts, so one account posting a tag a hundred times does not make it trend.
 */
export async function trendingTagIds(executor: Executor): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`with today as (
      select st.tag_id, count(distinct s.account_id) as observed
      from status_tags st join statuses s on s.id = st.status_id
      where st.status_id >= ${idSince(sql`interval '24 hours'`)}
        and s.deleted_at is null and s.visibility = 'public'
      group by st.tag_id
      having count(distinct s.account_id) >= ${TRENDING_TAG_MIN_ACCOUNTS}
    ), scored as (
      select today.tag_id, today.observed, usual.expected
      from today cross join lateral (
        select greatest(1, count(distinct s.account_id)::float8 / 6) as expected
        from status_tags st join statuses s on s.id = st.status_id
        where st.tag_id = today.tag_id
          and st.status_id >= ${idSince(sql`interval '7 days'`)}
          and st.status_id < ${idSince(sql`interval '24 hours'`)}
          and s.deleted_at is null and s.visibility = 'public') usual
      where today.observed > usual.expected
    )
    select tag_id::text as id from scored
    order by power(observed - expected, 2) / expected desc, observed desc, tag_id desc
    limit ${literalLimit(TRENDS_RANKING_SIZE)}`,
  );
  return rows.map((row) => row.id);
}

/**
 * Ids of trending statuses, best first: public, original (not boosts), posted in the last
 * {@link TRENDING_STATUS_MAX_AGE_HOURS} hours, with at least
 * {@link TRENDING_STATUS_MIN_INTERACTIONS} favourites and boosts, ranked by those interactions
 * halved every {@link TRENDING_STATUS_HALF_LIFE_HOURS} hours of age. Sensitive posts and replies are
 * left out, as in Mastodon's default review settings.
 */
export async function trendingStatusIds(executor: Executor): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`select s.id::text as id from statuses s
    where s.id >= ${idSince(sql`${sql.raw(`interval '${TRENDING_STATUS_MAX_AGE_HOURS} hours'`)}`)}
      and s.deleted_at is null and s.visibility = 'public' and s.reblog_of_id is null
      and s.in_reply_to_id is null and not s.sensitive
      and s.favourites_count + s.reblogs_count >= ${TRENDING_STATUS_MIN_INTERACTIONS}
    order by (s.favourites_count + s.reblogs_count)::float8
      * power(0.5, extract(epoch from now() - s.created_at) / ${TRENDING_STATUS_HALF_LIFE_HOURS * 3600}) desc,
      s.id desc
    limit ${literalLimit(TRENDS_RANKING_SIZE)}`,
  );
  return rows.map((row) => row.id);
}
