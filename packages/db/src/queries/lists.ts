/**
 * Reading lists: the owner's lists, the lists holding an account, a list's members, and a list's
 * timeline. Lists are private: every read is by the owner, and another person's list is not found.
 */
import { sql } from 'drizzle-orm';
import { opaque, queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import { belongsInList } from '../operations/home-feed-rules.js';
import { LIST_COLUMNS, requireOwnList, type ListView } from '../operations/lists/list-rules.js';
import { notExcludedFor } from './exclusions.js';
import { hydrateAccounts, hydrateSelection } from './hydrate.js';
import { literalLimit, newestFirst, orderFor, pageConditions, type Page } from './pagination.js';
import type { AccountView, StatusView } from './views.js';

export type { ListView };

/** The owner's lists, alphabetically (as Mastodon's list of lists). */
export async function listsOf(executor: Executor, ownerId: string): Promise<ListView[]> {
  return queryRows<ListView>(
    executor,
    sql`select ${LIST_COLUMNS} from lists where account_id = ${ownerId} order by lower(title), id`,
  );
}

/** One of the owner's lists, or ListNotFound. */
export async function findOwnList(
  executor: Executor,
  ownerId: string,
  listId: string,
): Promise<ListView> {
  return requireOwnList(executor, ownerId, listId);
}

/** The owner's lists that hold an account. */
export async function listsHoldingAccount(
  executor: Executor,
  ownerId: string,
  accountId: string,
): Promise<ListView[]> {
  if (!isSnowflakeId(accountId)) return [];
  return queryRows<ListView>(
    executor,
    sql`select ${LIST_COLUMNS} from lists l where l.account_id = ${ownerId}
      and exists (select 1 from list_accounts m where m.list_id = l.id and m.account_id = ${accountId})
      order by lower(l.title), l.id`,
  );
}

export interface ListMembersPage {
  accounts: AccountView[];
  firstCursor: string | null;
  lastCursor: string | null;
}

/** A page of a list's members, the most recently added first; `limit` 0: all of them. */
export async function listMembers(
  executor: Executor,
  ownerId: string,
  listId: string,
  page: Page,
): Promise<ListMembersPage> {
  await requireOwnList(executor, ownerId, listId);
  const { where, ascending } = pageConditions(sql`m.id`, page);
  const limit = page.limit === 0 ? sql`all` : literalLimit(page.limit);
  const rows = await queryRows<{ cursor: string; accountId: string }>(
    executor,
    sql`select m.id::text as cursor, m.account_id::text as "accountId" from list_accounts m
      where m.list_id = ${listId} and ${where}
      order by ${orderFor(sql`m.id`, ascending)} limit ${limit}`,
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

/** A list hides the owner's blocks and mutes (a member's boost of a muted account's post), as home does. */
const HIDE_MUTED = { mutes: true } as const;

/**
 * A list's timeline, newest first: a page of its precomputed feed (each entry checked: status and
 * boosted original not deleted, author still a member), and, when the feed runs out before the page
 * is full, the members' older statuses pulled by one index probe per member (bounded by
 * `MAX_LIST_MEMBERS`), below the feed's oldest entry. One prepared statement, then hydration: its
 * plan is the same for every list (the pull is one index probe per member whoever they are), so the
 * ids are hidden from the planner (`opaque`) and PostgreSQL keeps one plan per connection instead
 * of planning the hydrated statement, which took longer than running it, for every page.
 */
export async function listTimeline(
  executor: Executor,
  ownerId: string,
  listId: string,
  page: Page,
): Promise<StatusView[]> {
  await requireOwnList(executor, ownerId, listId);
  const limit = literalLimit(page.limit);
  const onEntry = pageConditions(sql`e.status_id`, page);
  const onStatus = pageConditions(sql`s.id`, page);
  const ascending = onEntry.ascending;
  const list = opaque(listId, 'bigint');
  const owner = opaque(ownerId, 'bigint');
  const selection = sql`
    with l as (select * from lists where id = ${list}),
    feed as (
      select e.status_id as id from list_feed_entries e
      where e.list_id = ${list} and ${onEntry.where}
        and (select s.deleted_at is null from statuses s where s.id = e.status_id)
        and (e.reblog_of_id is null
          or (select o.deleted_at is null from statuses o where o.id = e.reblog_of_id))
        and (select true from list_accounts m where m.list_id = ${list} and m.account_id = e.author_id)
        and (select ${notExcludedFor('x', owner, HIDE_MUTED)} from statuses x where x.id = e.status_id)
      order by ${orderFor(sql`e.status_id`, ascending)} limit ${limit}
    ),
    oldest as (select min(status_id) as id from list_feed_entries where list_id = ${list}),
    pulled as (
      select x.id from list_accounts m cross join lateral (
        select s.id from statuses s, l
        where s.account_id = m.account_id and ${onStatus.where}
          and s.id < coalesce((select id from oldest), 9223372036854775807)
          and ${belongsInList(sql`s`, sql`l`)}
          and ${notExcludedFor('s', owner, HIDE_MUTED)}
        order by s.id desc limit ${limit}) x
      where m.list_id = ${list} and ${ascending ? sql`false` : sql`(select count(*) from feed) < ${limit}`}
    ),
    page as (
      select id from (select id from feed union select id from pulled) u
      order by ${orderFor(sql`id`, ascending)} limit ${limit}
    )
    select p.id, row_number() over (order by p.id desc) as ord, 0 as grp from page p`;
  const groups = await hydrateSelection(executor, selection, ownerId, { prepared: true });
  return groups.get(0) ?? [];
}
