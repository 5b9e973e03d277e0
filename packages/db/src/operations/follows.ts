import type { DomainEvent } from '@murmur/events';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { accounts, follows } from '../schema/index.js';
import { isSnowflakeId } from '../ids.js';
import { requestFollowIfLocked, withdrawFollowRequest } from './follow-requests.js';
import { newEvent, outboxInsert } from './outbox.js';

/** Who follows whom, and the request that asked. */
export interface FollowInput {
  accountId: string;
  targetAccountId: string;
  requestId?: string | null;
}

/**
 * The follow (or unfollow) write as one statement: `change` is the writable CTE that inserts or
 * deletes the follow row and returns a row when it did; the counters move by `delta` and `event` is
 * written only then. Returns false when the target account does not exist.
 */
async function writeFollowChange(
  database: Database,
  input: FollowInput,
  change: SQL,
  delta: 1 | -1,
  event: DomainEvent,
): Promise<boolean> {
  if (!isSnowflakeId(input.targetAccountId)) return false;
  const [row] = await queryRows<{ found: boolean }>(
    database.primary,
    sql`with target as (select id from accounts where id = ${input.targetAccountId}),
        changed as (${change}),
        counted as (
          update accounts set
            following_count = greatest(following_count + case when id = ${input.accountId} then ${delta}::int else 0 end, 0),
            followers_count = greatest(followers_count + case when id = ${input.targetAccountId} then ${delta}::int else 0 end, 0)
          where id in (${input.accountId}, ${input.targetAccountId}) and exists (select 1 from changed)
        ),
        events as (${outboxInsert([event], sql`exists (select 1 from changed)`)})
        select exists (select 1 from target) as found`,
    { prepared: true },
  );
  return row?.found ?? false;
}

function accountNotFound(): DomainError {
  return new DomainError('AccountNotFound', 'Record not found');
}

/**
 * Follows an account and writes AccountFollowed; a locked account gets a follow request instead
 * (see `requestFollowIfLocked`). Following twice changes nothing and writes no event. One
 * statement; the followed person's notification is the worker's.
 */
export async function followAccount(database: Database, input: FollowInput): Promise<void> {
  if (input.accountId === input.targetAccountId) {
    throw new DomainError('CannotFollowSelf', 'You cannot follow yourself');
  }
  // Before the event: an id that is no account id is a 404, not an invalid event.
  if (!isSnowflakeId(input.targetAccountId)) throw accountNotFound();
  if (await requestFollowIfLocked(database, input)) return;
  const event = newEvent(
    'AccountFollowed',
    { accountId: input.accountId, targetAccountId: input.targetAccountId },
    input.requestId,
  );
  const change = sql`insert into follows (account_id, target_account_id)
    select ${input.accountId}, target.id from target
    on conflict do nothing
    returning 1`;
  if (!(await writeFollowChange(database, input, change, 1, event))) throw accountNotFound();
}

/**
 * Stops following and writes AccountUnfollowed; nothing (and no event) when there was no follow. A
 * pending follow request is withdrawn, as Mastodon's unfollow does.
 */
export async function unfollowAccount(database: Database, input: FollowInput): Promise<void> {
  if (!isSnowflakeId(input.targetAccountId)) throw accountNotFound();
  await withdrawFollowRequest(database, input);
  const event = newEvent(
    'AccountUnfollowed',
    { accountId: input.accountId, targetAccountId: input.targetAccountId },
    input.requestId,
  );
  const change = sql`delete from follows
    where account_id = ${input.accountId} and target_account_id = ${input.targetAccountId}
    returning 1`;
  if (!(await writeFollowChange(database, input, change, -1, event))) throw accountNotFound();
}

/** Throws AccountNotFound (404) unless the account exists. */
export async function requireAccount(tx: Executor, id: string): Promise<void> {
  if (!isSnowflakeId(id)) throw accountNotFound();
  const [row] = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.id, id))
    .limit(1);
  if (!row) throw accountNotFound();
}

/**
 * Ends the follow of `accountId` to `targetAccountId` inside the caller's transaction, counters
 * included; false if there was none. The caller writes the event that says why (FollowerRemoved).
 */
export async function deleteFollow(
  tx: Executor,
  input: { accountId: string; targetAccountId: string },
): Promise<boolean> {
  const removed = await tx
    .delete(follows)
    .where(
      and(
        eq(follows.accountId, input.accountId),
        eq(follows.targetAccountId, input.targetAccountId),
      ),
    )
    .returning({ id: follows.id });
  if (removed.length === 0) return false;
  await tx
    .update(accounts)
    .set({ followingCount: sql`greatest(${accounts.followingCount} - 1, 0)` })
    .where(eq(accounts.id, input.accountId));
  await tx
    .update(accounts)
    .set({ followersCount: sql`greatest(${accounts.followersCount} - 1, 0)` })
    .where(eq(accounts.id, input.targetAccountId));
  return true;
}

export interface Relationship {
  id: string;
  following: boolean;
  followedBy: boolean;
  /** The viewer features the account on its profile. */
  endorsed: boolean;
  /** The viewer's private note about the account ('' when none). */
  note: string;
  /** The viewer asked to follow the (locked) account; the request is pending. */
  requested: boolean;
  /** The account asked to follow the viewer. */
  requestedBy: boolean;
}

/** How the viewer relates to each of `targetIds` (follows, endorsement, note), in one query. */
export async function relationships(
  executor: Executor,
  viewerId: string,
  targetIds: readonly string[],
): Promise<Relationship[]> {
  const ids = [...new Set(targetIds.filter(isSnowflakeId))];
  if (ids.length === 0) return [];
  return queryRows<Relationship>(
    executor,
    sql`select t.id::text as id,
      exists(select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = t.id) as following,
      exists(select 1 from follows f where f.account_id = t.id and f.target_account_id = ${viewerId}) as "followedBy",
      exists(select 1 from account_endorsements e
        where e.account_id = ${viewerId} and e.target_account_id = t.id) as endorsed,
      coalesce((select n.comment from account_notes n
        where n.account_id = ${viewerId} and n.target_account_id = t.id), '') as note,
      exists(select 1 from follow_requests r
        where r.account_id = ${viewerId} and r.target_account_id = t.id) as requested,
      exists(select 1 from follow_requests r
        where r.account_id = t.id and r.target_account_id = ${viewerId}) as "requestedBy"
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as t(id, ord)
    order by t.ord`,
    { prepared: true },
  );
}
