import type { DomainEvent } from '@murmur/events';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { accounts, follows } from '../schema/index.js';
import { isSnowflakeId } from '../ids.js';
import {
  closeFollowRequest,
  requestFollowIfLocked,
  withdrawFollowRequest,
} from './follow-requests.js';
import { newEvent, outboxInsert } from './outbox.js';
import { blockBetween, muteInForce } from '../queries/exclusions.js';

/** Who follows whom, and the request that asked. */
export interface FollowInput {
  accountId: string;
  targetAccountId: string;
  /** The id of the remote `Follow` activity, when a remote account follows (kept for the answer). */
  activityUri?: string | null;
  requestId?: string | null;
}

/**
 * The follow (or unfollow) write as one statement: `change` is the writable CTE that inserts or
 * deletes the follow row and returns a row when it did; the counters move by `delta` and `event` is
 * written only then. Says whether the target account exists, and whether a block stands between
 * the two (either way).
 */
async function writeFollowChange(
  database: Database,
  input: FollowInput,
  change: SQL,
  delta: 1 | -1,
  event: DomainEvent,
): Promise<{ found: boolean; blocked: boolean }> {
  if (!isSnowflakeId(input.targetAccountId)) return { found: false, blocked: false };
  const [row] = await queryRows<{ found: boolean; blocked: boolean }>(
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
        select exists (select 1 from target) as found, ${blockBetween(input.accountId, input.targetAccountId)} as blocked`,
    { prepared: true },
  );
  return { found: row?.found ?? false, blocked: row?.blocked ?? false };
}

function accountNotFound(): DomainError {
  return new DomainError('AccountNotFound', 'Record not found');
}

/**
 * Follows an account and writes AccountFollowed; a locked account gets a follow request instead
 * (see `requestFollowIfLocked`). Following twice changes nothing and writes no event. Refused
 * (NotAllowed, 403 as Mastodon) when either account blocks the other. One statement; the followed
 * person's notification is the worker's.
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
  const change = sql`insert into follows (account_id, target_account_id, activity_uri)
    select ${input.accountId}, target.id, ${input.activityUri ?? null}::text
    from target where not ${blockBetween(input.accountId, input.targetAccountId)}
    on conflict do nothing
    returning 1`;
  const outcome = await writeFollowChange(database, input, change, 1, event);
  if (!outcome.found) throw accountNotFound();
  if (outcome.blocked) throw new DomainError('NotAllowed', 'This action is not allowed');
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
  if (!(await writeFollowChange(database, input, change, -1, event)).found) throw accountNotFound();
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

/**
 * Ends every follow and follow request of `accountId`, both ways (an account gone): the counters
 * follow, and the `AccountUnfollowed` of each follow is returned for the caller's outbox write.
 */
export async function endRelationsOf(
  tx: Executor,
  accountId: string,
  requestId: string | null,
): Promise<DomainEvent[]> {
  const related = await queryRows<{ accountId: string; targetAccountId: string }>(
    tx,
    sql`select account_id::text as "accountId", target_account_id::text as "targetAccountId"
      from follows where account_id = ${accountId} or target_account_id = ${accountId}
      union select account_id::text, target_account_id::text
      from follow_requests where account_id = ${accountId} or target_account_id = ${accountId}`,
  );
  const events: DomainEvent[] = [];
  for (const pair of related) {
    if (await deleteFollow(tx, pair)) events.push(newEvent('AccountUnfollowed', pair, requestId));
    await closeFollowRequest(tx, { ...pair, requestId }, 'withdrawn');
  }
  return events;
}

export interface Relationship {
  id: string;
  following: boolean;
  followedBy: boolean;
  /** The viewer features the account on its profile. */
  endorsed: boolean;
  /** The viewer's private note about the account ('' when none). */
  note: string;
  blocking: boolean;
  blockedBy: boolean;
  /** A mute in force (an expired one is none). */
  muting: boolean;
  mutingNotifications: boolean;
  mutingExpiresAt: Date | null;
  /** The viewer asked to follow the (locked) account; the request is pending. */
  requested: boolean;
  /** The account asked to follow the viewer. */
  requestedBy: boolean;
}

/**
 * How the viewer relates to each of `targetIds` (follows, endorsement, note, blocks, mutes), in one
 * query. Only the viewer's own mutes are read: nobody learns who mutes them.
 */
export async function relationships(
  executor: Executor,
  viewerId: string,
  targetIds: readonly string[],
): Promise<Relationship[]> {
  const ids = [...new Set(targetIds.filter(isSnowflakeId))];
  if (ids.length === 0) return [];
  const rows = await queryRows<
    Omit<Relationship, 'mutingExpiresAt'> & { mutingExpiresAt: string | null }
  >(
    executor,
    sql`select t.id::text as id,
      exists(select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = t.id) as following,
      exists(select 1 from follows f where f.account_id = t.id and f.target_account_id = ${viewerId}) as "followedBy",
      exists(select 1 from account_endorsements e
        where e.account_id = ${viewerId} and e.target_account_id = t.id) as endorsed,
      coalesce((select n.comment from account_notes n
        where n.account_id = ${viewerId} and n.target_account_id = t.id), '') as note,
      exists(select 1 from blocks b where b.account_id = ${viewerId} and b.target_account_id = t.id) as blocking,
      exists(select 1 from blocks b where b.account_id = t.id and b.target_account_id = ${viewerId}) as "blockedBy",
      mute.id is not null as muting,
      coalesce(mute.hide_notifications, false) as "mutingNotifications",
      mute.expires_at as "mutingExpiresAt",
      exists(select 1 from follow_requests r
        where r.account_id = ${viewerId} and r.target_account_id = t.id) as requested,
      exists(select 1 from follow_requests r
        where r.account_id = t.id and r.target_account_id = ${viewerId}) as "requestedBy"
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as t(id, ord)
    left join mutes mute on mute.account_id = ${viewerId} and mute.target_account_id = t.id
      and ${muteInForce('mute')}
    order by t.ord`,
    { prepared: true },
  );
  return rows.map((row) => ({
    ...row,
    mutingExpiresAt: row.mutingExpiresAt === null ? null : new Date(row.mutingExpiresAt),
  }));
}
