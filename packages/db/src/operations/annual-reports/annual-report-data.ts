/**
 * What an annual report says about a person's year (Mastodon's AnnualReport, schema version 1's
 * fields), computed in one statement over their statuses of that year (an id range of the
 * `statuses_account_id_idx` index), their follows, and the other reports of the year.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../client.js';
import { snowflakeFromDate } from '../../ids.js';

export const ANNUAL_REPORT_SCHEMA_VERSION = 1;

/** At most this many entries in each ranking (hashtags, apps, accounts). */
const TOP = 10;

export type Archetype = 'lurker' | 'booster' | 'pollster' | 'replier' | 'oracle';

export interface AnnualReportData {
  archetype: Archetype;
  type_distribution: { total: number; reblogs: number; replies: number; standalone: number };
  top_statuses: {
    by_reblogs: string | null;
    by_favourites: string | null;
    by_replies: string | null;
  };
  most_used_apps: { name: string; count: number }[];
  commonly_interacted_with_accounts: { account_id: string; count: number }[];
  most_reblogged_accounts: { account_id: string; count: number }[];
  time_series: { month: number; statuses: number; following: number; followers: number }[];
  top_hashtags: { name: string; count: number }[];
  /** The share (0–100) of this year's reports whose author posted less. */
  percentiles: number;
}

/** The UTC bounds of a year as snowflake ids (ids are time-sortable). */
export function yearIdRange(year: number): { from: string; to: string } {
  return {
    from: snowflakeFromDate(new Date(Date.UTC(year, 0, 1))),
    to: snowflakeFromDate(new Date(Date.UTC(year + 1, 0, 1))),
  };
}

/**
 * The playful summary of how someone posted: few posts make a lurker; otherwise whatever
 * dominates (boosts, polls, replies), and an oracle of original posts when nothing does.
 */
export function archetypeOf(counts: {
  total: number;
  reblogs: number;
  replies: number;
  polls: number;
}): Archetype {
  if (counts.total < 10) return 'lurker';
  if (counts.reblogs > counts.total / 2) return 'booster';
  if (counts.polls > counts.total / 10) return 'pollster';
  if (counts.replies > counts.total / 2) return 'replier';
  return 'oracle';
}

interface Row {
  total: number;
  reblogs: number;
  replies: number;
  polls: number;
  top_statuses: AnnualReportData['top_statuses'];
  most_used_apps: AnnualReportData['most_used_apps'] | null;
  commonly_interacted_with_accounts: AnnualReportData['commonly_interacted_with_accounts'] | null;
  most_reblogged_accounts: AnnualReportData['most_reblogged_accounts'] | null;
  time_series: AnnualReportData['time_series'];
  top_hashtags: AnnualReportData['top_hashtags'] | null;
  percentile: number;
}

/** The person's year, or null when they posted nothing that year (no report to make). */
export async function computeAnnualReportData(
  executor: Executor,
  accountId: string,
  year: number,
): Promise<AnnualReportData | null> {
  const { from, to } = yearIdRange(year);
  const start = new Date(Date.UTC(year, 0, 1));
  const end = new Date(Date.UTC(year + 1, 0, 1));
  const [row] = await queryRows<Row>(
    executor,
    sql`with mine as (
        select s.* from statuses s
        where s.account_id = ${accountId} and s.deleted_at is null
          and s.id >= ${from} and s.id < ${to}
      ),
      originals as (select * from mine where reblog_of_id is null),
      ranked as (
        select name, count from (
          select t.name, count(*)::int as count from originals o
          join status_tags st on st.status_id = o.id join tags t on t.id = st.tag_id
          group by t.name order by count desc, t.name limit ${TOP}) x
      )
      select
        (select count(*)::int from mine) as total,
        (select count(*)::int from mine where reblog_of_id is not null) as reblogs,
        (select count(*)::int from originals where in_reply_to_id is not null) as replies,
        (select count(*)::int from originals o join polls p on p.status_id = o.id) as polls,
        json_build_object(
          'by_reblogs', (select id::text from originals where reblogs_count > 0
            order by reblogs_count desc, id limit 1),
          'by_favourites', (select id::text from originals where favourites_count > 0
            order by favourites_count desc, id limit 1),
          'by_replies', (select id::text from originals where replies_count > 0
            order by replies_count desc, id limit 1)
        ) as top_statuses,
        (select json_agg(json_build_object('name', name, 'count', count) order by count desc, name)
          from (select a.name, count(*)::int as count from originals o
            join oauth_applications a on a.id = o.application_id
            group by a.name order by count desc, a.name limit ${TOP}) x) as most_used_apps,
        (select json_agg(json_build_object('account_id', account_id::text, 'count', count)
            order by count desc, account_id)
          from (select in_reply_to_account_id as account_id, count(*)::int as count from originals
            where in_reply_to_account_id is not null and in_reply_to_account_id <> ${accountId}
            group by in_reply_to_account_id order by count desc, in_reply_to_account_id
            limit ${TOP}) x) as commonly_interacted_with_accounts,
        (select json_agg(json_build_object('account_id', account_id::text, 'count', count)
            order by count desc, account_id)
          from (select o.account_id, count(*)::int as count from mine m
            join statuses o on o.id = m.reblog_of_id
            where o.account_id <> ${accountId}
            group by o.account_id order by count desc, o.account_id limit ${TOP}) x)
          as most_reblogged_accounts,
        (select json_agg(json_build_object('month', month,
            'statuses', (select count(*)::int from mine
              where extract(month from created_at at time zone 'UTC') = month),
            'following', (select count(*)::int from follows f where f.account_id = ${accountId}
              and f.created_at >= ${start} and f.created_at < ${end}
              and extract(month from f.created_at at time zone 'UTC') = month),
            'followers', (select count(*)::int from follows f
              where f.target_account_id = ${accountId}
              and f.created_at >= ${start} and f.created_at < ${end}
              and extract(month from f.created_at at time zone 'UTC') = month)) order by month)
          from generate_series(1, 12) as month) as time_series,
        (select json_agg(json_build_object('name', name, 'count', count) order by count desc, name)
          from ranked) as top_hashtags,
        -- Among the other reports of the year: the share whose author posted less.
        coalesce((select round(100.0 * count(*) filter (
            where (r.data->'type_distribution'->>'total')::int < (select count(*) from mine))
            / nullif(count(*), 0), 1)::float
          from annual_reports r where r.year = ${year} and r.account_id <> ${accountId}), 0)
          as percentile`,
  );
  if (!row || row.total === 0) return null;
  return {
    archetype: archetypeOf(row),
    type_distribution: {
      total: row.total,
      reblogs: row.reblogs,
      replies: row.replies,
      standalone: row.total - row.reblogs - row.replies,
    },
    top_statuses: row.top_statuses,
    most_used_apps: row.most_used_apps ?? [],
    commonly_interacted_with_accounts: row.commonly_interacted_with_accounts ?? [],
    most_reblogged_accounts: row.most_reblogged_accounts ?? [],
    time_series: row.time_series,
    top_hashtags: row.top_hashtags ?? [],
    percentiles: row.percentile,
  };
}
