import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { accounts, follows, notifications } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { isSnowflakeId } from '../ids.js';

async function requireAccount(tx: Executor, id: string) {
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
    const removed = await tx
      .delete(follows)
      .where(
        and(
          eq(follows.accountId, input.accountId),
          eq(follows.targetAccountId, input.targetAccountId),
        ),
      )
      .returning({ id: follows.id });
    if (removed.length === 0) return;
    await tx
      .update(accounts)
      .set({ followingCount: sql`greatest(${accounts.followingCount} - 1, 0)` })
      .where(eq(accounts.id, input.accountId));
    await tx
      .update(accounts)
      .set({ followersCount: sql`greatest(${accounts.followersCount} - 1, 0)` })
      .where(eq(accounts.id, input.targetAccountId));
  });
}

export interface Relationship {
  id: string;
  following: boolean;
  followedBy: boolean;
}

/** Follow relationships between the viewer and each of `targetIds`, in one query. */
export async function relationships(
  executor: Executor,
  viewerId: string,
  targetIds: readonly string[],
): Promise<Relationship[]> {
  const ids = [...new Set(targetIds.filter(isSnowflakeId))];
  if (ids.length === 0) return [];
  const rows = await executor
    .select({ accountId: follows.accountId, targetAccountId: follows.targetAccountId })
    .from(follows)
    .where(
      sql`(${follows.accountId} = ${viewerId} and ${inArray(follows.targetAccountId, ids)})
        or (${follows.targetAccountId} = ${viewerId} and ${inArray(follows.accountId, ids)})`,
    );
  return ids.map((id) => ({
    id,
    following: rows.some((r) => r.accountId === viewerId && r.targetAccountId === id),
    followedBy: rows.some((r) => r.accountId === id && r.targetAccountId === viewerId),
  }));
}
