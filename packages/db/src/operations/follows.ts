import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { accounts, follows, notifications } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { isSnowflakeId } from '../ids.js';

/** Throws AccountNotFound (404) unless the account exists. */
export async function requireAccount(tx: Executor, id: string): Promise<void> {
  if (!isSnowflakeId(id)) throw new DomainError('AccountNotFound', 'Record not found');
  const [row] = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.id, id))
    .limit(1);
  if (!row) throw new DomainError('AccountNotFound', 'Record not found');
}

/** Follows an account. Following twice changes nothing; the followed person gets one notification. */
export async function followAccount(
  database: Database,
  input: { accountId: string; targetAccountId: string },
): Promise<void> {
  if (input.accountId === input.targetAccountId) {
    throw new DomainError('CannotFollowSelf', 'You cannot follow yourself');
  }
  await withTransaction(database, async (tx) => {
    await requireAccount(tx, input.targetAccountId);
    const inserted = await tx
      .insert(follows)
      .values({ accountId: input.accountId, targetAccountId: input.targetAccountId })
      .onConflictDoNothing()
      .returning({ id: follows.id });
    if (inserted.length === 0) return;
    await tx
      .update(accounts)
      .set({ followingCount: sql`${accounts.followingCount} + 1` })
      .where(eq(accounts.id, input.accountId));
    await tx
      .update(accounts)
      .set({ followersCount: sql`${accounts.followersCount} + 1` })
      .where(eq(accounts.id, input.targetAccountId));
    await tx
      .insert(notifications)
      .values({
        accountId: input.targetAccountId,
        fromAccountId: input.accountId,
        type: 'follow',
      })
      .onConflictDoNothing();
  });
}

export async function unfollowAccount(
  database: Database,
  input: { accountId: string; targetAccountId: string },
): Promise<void> {
  await withTransaction(database, async (tx) => {
    await requireAccount(tx, input.targetAccountId);
    await deleteFollow(tx, input);
  });
}

/** Ends the follow of `accountId` to `targetAccountId` inside the caller's transaction; false if none. */
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
        where n.account_id = ${viewerId} and n.target_account_id = t.id), '') as note
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as t(id, ord)
    order by t.ord`,
    { prepared: true },
  );
}
