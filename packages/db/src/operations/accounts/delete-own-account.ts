/**
 * A person deletes their own account (the website's Settings → "Delete account"; Mastodon has no
 * client-API endpoint for it either). After the password is checked, one transaction makes the
 * account gone for everyone: it is suspended for good and marked deleted (every reader of profiles,
 * statuses and tokens already treats a suspended account as absent), its profile is emptied, every
 * access token is revoked and every website session ends, its follows end both ways (an
 * `AccountUnfollowed` each, as an unfollow writes), and `AccountDeleted` is written: the worker
 * purges its statuses and media and tells other servers. The row stays, so its username stays taken
 * (as in Mastodon: a deleted name is never given to someone else, who would inherit its links).
 */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { DomainEvent } from '@murmur/events';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { verifyPassword } from '../../passwords.js';
import { accounts, follows, oauthAccessTokens, webSessions } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { deleteFollow } from '../follows.js';
import { newEvent, outboxInsert } from '../outbox.js';

export async function deleteOwnAccount(
  database: Database,
  input: { accountId: string; password: string; requestId?: string | null },
): Promise<void> {
  const [account] = await database.primary
    .select({ passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(
      and(eq(accounts.id, input.accountId), isNull(accounts.domain), isNull(accounts.deletedAt)),
    )
    .limit(1);
  if (!account?.passwordHash) throw new DomainError('AccountNotFound', 'Record not found');
  if (!(await verifyPassword(input.password, account.passwordHash))) {
    throw new DomainError('InvalidPassword', 'The password is not correct', 'password');
  }
  await withTransaction(database, async (tx) => {
    const now = new Date();
    const [marked] = await tx
      .update(accounts)
      .set({
        deletedAt: now,
        suspendedAt: sql`coalesce(${accounts.suspendedAt}, ${now.toISOString()}::timestamptz)`,
        displayName: '',
        note: '',
        avatarKey: null,
        headerKey: null,
        locked: false,
        emailOnMention: false,
        credentialsChangedAt: now,
      })
      // A concurrent deletion (two tabs) writes its events once.
      .where(and(eq(accounts.id, input.accountId), isNull(accounts.deletedAt)))
      .returning({ id: accounts.id });
    if (!marked) return;
    await tx
      .update(oauthAccessTokens)
      .set({ revokedAt: now })
      .where(
        and(eq(oauthAccessTokens.accountId, input.accountId), isNull(oauthAccessTokens.revokedAt)),
      );
    await tx.delete(webSessions).where(eq(webSessions.accountId, input.accountId));
    const relations = await tx
      .select({ accountId: follows.accountId, targetAccountId: follows.targetAccountId })
      .from(follows)
      .where(
        or(eq(follows.accountId, input.accountId), eq(follows.targetAccountId, input.accountId)),
      );
    const events: DomainEvent[] = [];
    for (const relation of relations) {
      if (await deleteFollow(tx, relation)) {
        events.push(newEvent('AccountUnfollowed', relation, input.requestId));
      }
    }
    events.push(newEvent('AccountDeleted', { accountId: input.accountId }, input.requestId));
    await tx.execute(outboxInsert(events));
  });
}
