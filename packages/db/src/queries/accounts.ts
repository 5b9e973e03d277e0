import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { hydrateAccounts } from './hydrate.js';
import { literalLimit, newestFirst, orderFor, pageConditions, type Page } from './pagination.js';
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
  source: 'followers' | 'following' | 'favourited_by' | 'reblogged_by',
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
  } as const;
  const q = queries[source];
  const { where, ascending } = pageConditions(sql`x.id`, page);
  const rows = await queryRows<{ cursor: string; accountId: string }>(
    executor,
    sql`
    select x.id::text as cursor, ${q.account}::text as "accountId" from ${q.table}
    where ${q.filter} and ${where}
    order by ${orderFor(sql`x.id`, ascending)}
    limit ${literalLimit(page.limit)}`,
  );
  const ordered = newestFirst(rows, ascending);
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
