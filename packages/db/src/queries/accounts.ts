import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import { ACCOUNT_JSON, hydrateAccounts, toAccountView, type AccountRowJson } from './hydrate.js';
import { literalLimit, selectPage, type Page } from './pagination.js';
import type { AccountView } from './views.js';

/** A page of accounts plus the ids to page by (follow or favourite ids, as Mastodon's Link header uses). */
export interface AccountPage {
  accounts: AccountView[];
  /** Pagination ids of the first and last entries (for `Link`), or null when empty. */
  firstCursor: string | null;
  lastCursor: string | null;
}

async function accountPage(
  executor: Executor,
  source:
    | 'followers'
    | 'following'
    | 'favourited_by'
    | 'reblogged_by'
    | 'endorsements'
    | 'blocks'
    | 'follow_requests',
  subjectId: string,
  page: Page,
): Promise<AccountPage> {
  const queries = {
    followers: {
      table: sql`follows x`,
      account: sql`x.account_id`,
      filter: sql`x.target_account_id = ${subjectId}`,
    },
    following: {
      table: sql`follows x`,
      account: sql`x.target_account_id`,
      filter: sql`x.account_id = ${subjectId}`,
    },
    favourited_by: {
      table: sql`favourites x`,
      account: sql`x.account_id`,
      filter: sql`x.status_id = ${subjectId}`,
    },
    reblogged_by: {
      table: sql`statuses x`,
      account: sql`x.account_id`,
      filter: sql`x.reblog_of_id = ${subjectId} and x.deleted_at is null`,
    },
    endorsements: {
      table: sql`account_endorsements x`,
      account: sql`x.target_account_id`,
      filter: sql`x.account_id = ${subjectId}`,
    },
    blocks: {
      table: sql`blocks x`,
      account: sql`x.target_account_id`,
      filter: sql`x.account_id = ${subjectId}`,
    },
    follow_requests: {
      table: sql`follow_requests x`,
      account: sql`x.account_id`,
      filter: sql`x.target_account_id = ${subjectId}`,
    },
  } as const;
  const q = queries[source];
  const ordered = await selectPage<{ cursor: string; accountId: string }>(
    executor,
    sql`select x.id::text as cursor, ${q.account}::text as "accountId" from ${q.table}`,
    sql`x.id`,
    [q.filter],
    page,
  );
  return {
    accounts: await hydrateAccounts(
      executor,
      ordered.map((r) => r.accountId),
    ),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}

export const followersOf = (executor: Executor, accountId: string, page: Page) =>
  accountPage(executor, 'followers', accountId, page);
export const followingOf = (executor: Executor, accountId: string, page: Page) =>
  accountPage(executor, 'following', accountId, page);
export const favouritedBy = (executor: Executor, statusId: string, page: Page) =>
  accountPage(executor, 'favourited_by', statusId, page);
export const rebloggedBy = (executor: Executor, statusId: string, page: Page) =>
  accountPage(executor, 'reblogged_by', statusId, page);
/** The accounts an account features on its profile, most recently featured first. */
export const endorsementsOf = (executor: Executor, accountId: string, page: Page) =>
  accountPage(executor, 'endorsements', accountId, page);
/** The accounts an account blocks, most recently blocked first (GET /api/v1/blocks). */
export const blockedBy = (executor: Executor, accountId: string, page: Page) =>
  accountPage(executor, 'blocks', accountId, page);
/** How many follow requests wait for the account's answer. */
export async function pendingFollowRequestsCount(
  executor: Executor,
  accountId: string,
): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    executor,
    sql`select count(*)::int as count from follow_requests where target_account_id = ${accountId}`,
  );
  return row?.count ?? 0;
}

/** Who asks to follow an account (locked), newest request first. */
export const followRequestsOf = (executor: Executor, accountId: string, page: Page) =>
  accountPage(executor, 'follow_requests', accountId, page);

/**
 * The profile directory (GET /api/v1/directory): every account, the most recently active first
 * (`active`) or the newest first (`new`).
 */
export async function directoryAccounts(
  executor: Executor,
  options: { order: 'active' | 'new'; limit: number; offset: number },
): Promise<AccountView[]> {
  const order =
    options.order === 'new' ? sql`a.id desc` : sql`a.last_status_at desc nulls last, a.id desc`;
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`select a.id::text as id from accounts a
    order by ${order} limit ${literalLimit(options.limit)} offset ${options.offset}`,
  );
  return hydrateAccounts(
    executor,
    rows.map((r) => r.id),
  );
}

export interface SuggestedAccount {
  account: AccountView;
  /** Mastodon's reasons: followed by people the account follows, or among the most followed. */
  sources: ('friends_of_friends' | 'most_followed')[];
}

/**
 * Whom an account might follow: accounts followed by the accounts it follows (the more of them, the
 * higher), then the most followed; never itself, someone it follows, or a dismissed suggestion.
 */
export async function followSuggestions(
  executor: Executor,
  accountId: string,
  limit: number,
): Promise<SuggestedAccount[]> {
  const rows = await queryRows<{ id: string; friends: number }>(
    executor,
    sql`with friends as (
      select theirs.target_account_id as id, count(*)::int as friends
      from follows mine join follows theirs on theirs.account_id = mine.target_account_id
      where mine.account_id = ${accountId}
      group by theirs.target_account_id),
    popular as (
      select a.id, 0 as friends from accounts a
      order by a.followers_count desc, a.id desc limit ${literalLimit(limit * 3 + 50)}),
    candidates as (
      select id, max(friends) as friends from (select * from friends union all select * from popular) c
      group by id)
    select a.id::text as id, c.friends
    from candidates c join accounts a on a.id = c.id
    where a.id <> ${accountId}
      and not exists (select 1 from follows f where f.account_id = ${accountId} and f.target_account_id = a.id)
      and not exists (select 1 from suggestion_dismissals d
        where d.account_id = ${accountId} and d.target_account_id = a.id)
    order by c.friends desc, a.followers_count desc, a.id desc
    limit ${literalLimit(limit)}`,
  );
  const accounts = await hydrateAccounts(
    executor,
    rows.map((r) => r.id),
  );
  return accounts.map((account, index) => ({
    account,
    sources: rows[index]!.friends > 0 ? ['friends_of_friends'] : ['most_followed'],
  }));
}

/** For each of `targetIds`: the accounts the viewer follows that follow it (up to 40 each). */
export async function familiarFollowers(
  executor: Executor,
  viewerId: string,
  targetIds: readonly string[],
): Promise<{ id: string; accounts: AccountView[] }[]> {
  const ids = [...new Set(targetIds.filter(isSnowflakeId))];
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: string; accounts: AccountRowJson[] }>(
    executor,
    sql`select t.id::text as id, coalesce((
        select json_agg(${ACCOUNT_JSON} order by a.followers_count desc, a.id)
        from (select theirs.account_id from follows theirs
          join follows mine on mine.account_id = ${viewerId} and mine.target_account_id = theirs.account_id
          where theirs.target_account_id = t.id limit 40) familiar
        join accounts a on a.id = familiar.account_id), '[]') as accounts
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as t(id, ord)
    order by t.ord`,
  );
  return rows.map((r) => ({ id: r.id, accounts: r.accounts.map(toAccountView) }));
}
