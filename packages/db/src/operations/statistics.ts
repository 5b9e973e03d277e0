/**
 * Daily statistics in UTC days (reliability R33).
 *
 * Two ways in, which agree by construction:
 * - live: the statistics consumer increments today's numbers in the same transaction as its
 *   processed-events marker (PostCreated → posts, active accounts; UserMentioned → mentions;
 *   SignedIn → logins);
 * - recompute: once a day is over, every number is recomputed from the source tables and the day is
 *   marked `finalized_at`. From then on live increments for that day are ignored (a late event was
 *   already counted by the recompute), so re-running either path changes nothing.
 *
 * Definitions (both paths):
 * - posts: statuses created that day, reblogs excluded, counted whether or not deleted later (live
 *   counts them when they are created);
 * - mentions: mentions of another account (never the author) in those statuses;
 * - active_accounts: distinct authors of those statuses;
 * - new_accounts, follows, favourites: rows created that day that still exist (no events exist for
 *   them; today's values are refreshed from the tables every minute);
 * - logins: access tokens issued to people that day (SignedIn events: sign-ins through OAuth and
 *   sign-ups through the API), counted live only: no table keeps them, so the recompute leaves
 *   the live number as it is.
 *
 * Day ranges use the time-sortable ids (`id >= <start ms> << 16`) as an index-friendly prefilter: an
 * id is generated at insert time, never before the transaction's `created_at`, and transactions are
 * far shorter than the one-hour margin on the upper bound.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ID_MARGIN_MS = 60 * 60 * 1000;
const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of an instant, as `YYYY-MM-DD`. */
export function utcDay(date: Date | string): string {
  return new Date(date).toISOString().slice(0, 10);
}

/** The UTC day after (or before, with a negative `days`) `day`. */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

function assertDay(day: string): void {
  if (!DAY_FORMAT.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new RangeError(`invalid day ${JSON.stringify(day)}`);
  }
}

/** One event for the batched live count: a new post, a mention in a post, or a sign-in. */
export type StatisticsEvent =
  | { eventId: string; type: 'PostCreated'; createdAt: Date | string; accountId: string }
  | { eventId: string; type: 'UserMentioned'; statusId: string; mentionedAccountId: string }
  | { eventId: string; type: 'SignedIn'; occurredAt: Date | string };

const LIVE_ONLY = sql.raw('case when daily_stats.finalized_at is not null then 0 else ');

/**
 * The statistics consumer's batched path: in ONE statement (so one transaction), records the
 * `processed_events` markers of `events` and counts the ones that were new (a post on the day it was
 * created, with its author active that day; a mention on its post's day, while the post still
 * mentions the account; a sign-in on its day). One upsert per day instead of
 * one per event: concurrent events no longer queue on the day's row lock. Returns the ids whose marker
 * this call inserted (the others had been processed before). Duplicate ids in `events` count once.
 */
export async function countEventsInDailyStats(
  database: Database,
  consumer: string,
  events: readonly StatisticsEvent[],
): Promise<Set<string>> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  if (unique.length === 0) return new Set();
  const col = <T>(pick: (e: StatisticsEvent) => T | null) => sql.param(unique.map(pick));
  const rows = await queryRows<{ event_id: string }>(
    database.primary,
    sql`with ev as (
          select * from unnest(
            ${col((e) => e.eventId)}::uuid[], ${col((e) => e.type)}::text[],
            ${col((e) => (e.type === 'PostCreated' ? utcDay(e.createdAt) : e.type === 'SignedIn' ? utcDay(e.occurredAt) : null))}::date[],
            ${col((e) => (e.type === 'PostCreated' ? e.accountId : null))}::bigint[],
            ${col((e) => (e.type === 'UserMentioned' ? e.statusId : null))}::bigint[],
            ${col((e) => (e.type === 'UserMentioned' ? e.mentionedAccountId : null))}::bigint[]
          ) as e(event_id, type, day, account_id, status_id, mentioned_id)
        ),
        marked as (
          insert into processed_events (consumer, event_id)
          select ${consumer}, event_id from ev
          on conflict do nothing
          returning event_id
        ),
        fresh as (select ev.* from ev join marked using (event_id)),
        posts as (
          select day, count(*)::int as n from fresh where type = 'PostCreated' group by day
        ),
        active as (
          insert into daily_active_accounts (day, account_id)
          select distinct f.day, a.id from fresh f join accounts a on a.id = f.account_id
          where f.type = 'PostCreated'
          on conflict do nothing
          returning day
        ),
        active_counts as (select day, count(*)::int as n from active group by day),
        login_counts as (
          select day, count(*)::int as n from fresh where type = 'SignedIn' group by day
        ),
        mention_counts as (
          select (s.created_at at time zone 'UTC')::date as day, count(*)::int as n
          from fresh f
          join statuses s on s.id = f.status_id
          join mentions m on m.status_id = s.id and m.account_id = f.mentioned_id
          where f.type = 'UserMentioned' and s.account_id <> m.account_id
          group by 1
        ),
        days as (
          select day, sum(p)::int as posts, sum(m)::int as mentions, sum(a)::int as active,
            sum(l)::int as logins
          from (
            select day, n as p, 0 as m, 0 as a, 0 as l from posts
            union all select day, 0, n, 0, 0 from mention_counts
            union all select day, 0, 0, n, 0 from active_counts
            union all select day, 0, 0, 0, n from login_counts
          ) x
          group by day
        ),
        upserted as (
          insert into daily_stats (day, posts, mentions, active_accounts, logins)
          select day, posts, mentions, active, logins from days order by day
          on conflict (day) do update set
            -- A finalized day's recomputed numbers stay; logins have no source table to recompute
            -- from, so they are counted even once the day is finalized.
            posts = daily_stats.posts + ${LIVE_ONLY}excluded.posts end,
            mentions = daily_stats.mentions + ${LIVE_ONLY}excluded.mentions end,
            active_accounts = daily_stats.active_accounts + ${LIVE_ONLY}excluded.active_accounts end,
            logins = daily_stats.logins + excluded.logins,
            updated_at = now()
          where daily_stats.finalized_at is null or excluded.logins > 0
          returning 1
        )
        select event_id::text as event_id from marked, (select count(*) from upserted) u`,
    // Planned once per connection: the plan does not depend on the values (arrays of events).
    { prepared: true },
  );
  return new Set(rows.map((r) => r.event_id));
}

export interface DailyStatsNumbers {
  posts: number;
  mentions: number;
  newAccounts: number;
  activeAccounts: number;
  follows: number;
  favourites: number;
}

export interface DailyStatsRow extends DailyStatsNumbers {
  day: string;
  logins: number;
  finalizedAt: Date | null;
}

function dayBounds(day: string) {
  assertDay(day);
  const start = Date.parse(`${day}T00:00:00Z`);
  const stop = start + DAY_MS;
  return {
    start: new Date(start).toISOString(),
    stop: new Date(stop).toISOString(),
    lowId: (BigInt(start) << 16n).toString(),
    highId: (BigInt(stop + ID_MARGIN_MS) << 16n).toString(),
  };
}

function createdOn(alias: string, b: ReturnType<typeof dayBounds>) {
  const t = sql.raw(alias);
  return sql`${t}.id >= ${b.lowId}::bigint and ${t}.id < ${b.highId}::bigint
    and ${t}.created_at >= ${b.start}::timestamptz and ${t}.created_at < ${b.stop}::timestamptz`;
}

/** One row: the numbers of `day` as the source tables say now (posts, active_accounts, …). */
function numbersFromSources(b: ReturnType<typeof dayBounds>) {
  return sql`select
      (select count(*) from statuses s where ${createdOn('s', b)} and s.reblog_of_id is null) as posts,
      (select count(distinct s.account_id) from statuses s where ${createdOn('s', b)} and s.reblog_of_id is null) as active_accounts,
      (select count(*) from mentions m join statuses s on s.id = m.status_id
        where ${createdOn('s', b)} and s.reblog_of_id is null and m.account_id <> s.account_id) as mentions,
      (select count(*) from accounts a where ${createdOn('a', b)}) as new_accounts,
      (select count(*) from follows f where ${createdOn('f', b)}) as follows,
      (select count(*) from favourites v where ${createdOn('v', b)}) as favourites`;
}

/** The numbers of `day` as the source tables say now (nothing is written). */
export async function computeDailyStatsFromSources(
  executor: Executor,
  day: string,
): Promise<DailyStatsNumbers> {
  const [row] = await queryRows<Record<string, string>>(
    executor,
    numbersFromSources(dayBounds(day)),
  );
  return {
    posts: Number(row?.posts ?? 0),
    mentions: Number(row?.mentions ?? 0),
    newAccounts: Number(row?.new_accounts ?? 0),
    activeAccounts: Number(row?.active_accounts ?? 0),
    follows: Number(row?.follows ?? 0),
    favourites: Number(row?.favourites ?? 0),
  };
}

/**
 * Recomputes every number of a finished `day` from the source tables and marks it finalized, in one
 * statement (one snapshot, one transaction). Idempotent: running it again writes the same numbers.
 */
export async function recomputeDailyStats(database: Database, day: string): Promise<DailyStatsRow> {
  const b = dayBounds(day);
  const [row] = await queryRows<RawStats>(
    database.primary,
    sql`with n as (${numbersFromSources(b)}),
        -- Keep the live "who posted" table consistent with the recomputed number.
        active as (
          insert into daily_active_accounts (day, account_id)
          select distinct ${day}::date, s.account_id from statuses s
          where ${createdOn('s', b)} and s.reblog_of_id is null
          on conflict do nothing
          returning 1
        )
        insert into daily_stats as d
          (day, posts, mentions, new_accounts, active_accounts, follows, favourites, finalized_at)
        select ${day}::date, n.posts, n.mentions, n.new_accounts, n.active_accounts, n.follows,
               n.favourites, now()
        from n
        on conflict (day) do update set
          posts = excluded.posts, mentions = excluded.mentions, new_accounts = excluded.new_accounts,
          active_accounts = excluded.active_accounts, follows = excluded.follows,
          favourites = excluded.favourites,
          finalized_at = coalesce(d.finalized_at, excluded.finalized_at), updated_at = now()
        returning ${STATS_COLUMNS}`,
  );
  return toStatsRow(row!);
}

/**
 * Finalizes every finished UTC day (before `today`) that is not finalized yet, from the first day
 * with data (or `maxDays` before today, whichever is later). Returns the days it recomputed.
 */
export async function finalizeFinishedDays(
  database: Database,
  options: { today: string; maxDays?: number },
): Promise<string[]> {
  assertDay(options.today);
  const earliest = addDays(options.today, -(options.maxDays ?? 400));
  const rows = await queryRows<{ day: string }>(
    database.primary,
    sql`with first as (
          select least(
            (select (to_timestamp((min(id) >> 16) / 1000.0) at time zone 'UTC')::date from statuses),
            (select (to_timestamp((min(id) >> 16) / 1000.0) at time zone 'UTC')::date from accounts),
            (select min(day) from daily_stats)
          ) as day
        )
        select to_char(d, 'YYYY-MM-DD') as day
        from first, generate_series(
          greatest(first.day, ${earliest}::date), ${options.today}::date - 1, interval '1 day'
        ) as d
        where first.day is not null
          and not exists (select 1 from daily_stats ds where ds.day = d::date and ds.finalized_at is not null)
        order by d`,
  );
  const days = rows.map((r) => r.day);
  for (const day of days) await recomputeDailyStats(database, day);
  return days;
}

/**
 * Refreshes today's numbers that no event reports (new accounts, follows, favourites) from the
 * source tables. Posts, mentions and active accounts stay live.
 */
export async function refreshTodayStats(database: Database, today: string): Promise<void> {
  const n = await computeDailyStatsFromSources(database.primary, today);
  await database.primary.execute(sql`
    insert into daily_stats (day, new_accounts, follows, favourites)
    values (${today}::date, ${n.newAccounts}, ${n.follows}, ${n.favourites})
    on conflict (day) do update set
      new_accounts = excluded.new_accounts, follows = excluded.follows,
      favourites = excluded.favourites, updated_at = now()
    where daily_stats.finalized_at is null`);
}

interface RawStats {
  day: string;
  posts: number;
  mentions: number;
  new_accounts: number;
  active_accounts: number;
  follows: number;
  favourites: number;
  logins: number;
  finalized_at: Date | string | null;
}

const STATS_COLUMNS = sql.raw(
  `to_char(day, 'YYYY-MM-DD') as day, posts, mentions, new_accounts, active_accounts, follows,
   favourites, logins, finalized_at`,
);

function toStatsRow(r: RawStats): DailyStatsRow {
  return {
    day: r.day,
    posts: r.posts,
    mentions: r.mentions,
    newAccounts: r.new_accounts,
    activeAccounts: r.active_accounts,
    follows: r.follows,
    favourites: r.favourites,
    logins: r.logins,
    finalizedAt: r.finalized_at === null ? null : new Date(r.finalized_at),
  };
}

export async function getDailyStats(
  executor: Executor,
  day: string,
): Promise<DailyStatsRow | null> {
  assertDay(day);
  const [row] = await queryRows<RawStats>(
    executor,
    sql`select ${STATS_COLUMNS} from daily_stats where day = ${day}::date`,
  );
  return row ? toStatsRow(row) : null;
}

/** Days from `from` to `to` (inclusive) that have a row, oldest first. */
export async function listDailyStats(
  executor: Executor,
  range: { from: string; to: string },
): Promise<DailyStatsRow[]> {
  assertDay(range.from);
  assertDay(range.to);
  const rows = await queryRows<RawStats>(
    executor,
    sql`select ${STATS_COLUMNS} from daily_stats
        where day between ${range.from}::date and ${range.to}::date order by day`,
  );
  return rows.map(toStatsRow);
}
