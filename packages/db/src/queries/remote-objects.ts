/**
 * What incoming activities name, found by ActivityPub id: remote statuses (`statuses.uri`) and
 * accounts (`accounts.uri`, remote ones). Local objects are named by URLs built from their ids
 * (@murmur/federation's local-uris), which the federation package parses itself.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';

/** A stored remote status by its ActivityPub id (deleted ones included), with its author. */
export async function findStatusByUri(
  executor: Executor,
  uri: string,
): Promise<{ id: string; accountId: string; deleted: boolean } | null> {
  const [row] = await queryRows<{ id: string; accountId: string; deleted: boolean }>(
    executor,
    sql`select id::text as id, account_id::text as "accountId", deleted_at is not null as deleted
      from statuses where uri = ${uri} limit 1`,
  );
  return row ?? null;
}

/** The ids of the stored accounts with these actor ids (remote accounts), in no order. */
export async function accountIdsByUris(
  executor: Executor,
  uris: readonly string[],
): Promise<{ id: string; uri: string }[]> {
  if (uris.length === 0) return [];
  return queryRows<{ id: string; uri: string }>(
    executor,
    sql`select id::text as id, uri from accounts where uri = any(${sql.param([...uris])}::text[])`,
  );
}

/** The stored account with this actor id, or null. */
export async function findAccountByUri(
  executor: Executor,
  uri: string,
): Promise<{ id: string; domain: string | null; fetchedAt: Date | null } | null> {
  const [row] = await queryRows<{ id: string; domain: string | null; fetchedAt: string | null }>(
    executor,
    sql`select id::text as id, domain, fetched_at as "fetchedAt" from accounts where uri = ${uri} limit 1`,
  );
  return row
    ? { ...row, fetchedAt: row.fetchedAt === null ? null : new Date(row.fetchedAt) }
    : null;
}

/** A live status (not a reblog) by its id and author: what a local status URL names, if anything. */
export async function findStatusOfAuthor(
  executor: Executor,
  statusId: string,
  accountId: string,
): Promise<{ id: string } | null> {
  if (!isSnowflakeId(statusId)) return null;
  const [row] = await queryRows<{ id: string }>(
    executor,
    sql`select id::text as id from statuses where id = ${statusId} and account_id = ${accountId}
      and deleted_at is null and reblog_of_id is null`,
  );
  return row ?? null;
}

/** True when at least one local account follows the account (a remote author's posts matter here). */
export async function hasLocalFollowers(executor: Executor, accountId: string): Promise<boolean> {
  const rows = await queryRows(
    executor,
    sql`select 1 from follows f join accounts a on a.id = f.account_id
      where f.target_account_id = ${accountId} and a.domain is null limit 1`,
  );
  return rows.length > 0;
}

/** What sending an activity between two accounts needs of each: who it is and where it lives. */
export interface FederatedAccount {
  id: string;
  username: string;
  /** Null for a local account. */
  domain: string | null;
  uri: string | null;
  inboxUrl: string | null;
}

export async function federatedAccounts(
  executor: Executor,
  ids: readonly string[],
): Promise<Map<string, FederatedAccount>> {
  const valid = ids.filter(isSnowflakeId);
  if (valid.length === 0) return new Map();
  const rows = await queryRows<FederatedAccount>(
    executor,
    sql`select id::text as id, username, domain, uri, inbox_url as "inboxUrl" from accounts
      where id = any(${sql.param(valid)}::bigint[])`,
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The id of the remote `Follow` activity that made the follow of `accountId` to `targetAccountId`
 * (what an `Accept` names), or null: no such follow, or one made before ids were kept.
 */
export async function followActivityUriOf(
  executor: Executor,
  follow: { accountId: string; targetAccountId: string },
): Promise<string | null> {
  if (!isSnowflakeId(follow.accountId) || !isSnowflakeId(follow.targetAccountId)) return null;
  const [row] = await queryRows<{ activityUri: string | null }>(
    executor,
    sql`select activity_uri as "activityUri" from follows
      where account_id = ${follow.accountId} and target_account_id = ${follow.targetAccountId}`,
  );
  return row?.activityUri ?? null;
}
