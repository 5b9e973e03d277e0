/**
 * A person deletes their own account (the website's Settings → "Delete account"; Mastodon has no
 * client-API endpoint for it either). After the password is checked, one transaction makes the
 * account gone for everyone: it is suspended for good and marked deleted (every reader of profiles,
 * statuses and tokens already treats a suspended account as absent), its profile is emptied, every
 * access token is revoked and every website session ends, its follows and follow requests end both
 * ways (an `AccountUnfollowed` each follow, as an unfollow writes), and `AccountDeleted` is written: the worker
 * purges its statuses and media and tells other servers. The row stays, so its username stays taken
 * (as in Mastodon: a deleted name is never given to someone else, who would inherit its links).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { verifyPassword } from '../../passwords.js';
import { accounts, oauthAccessTokens, webSessions } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { endRelationsOf } from '../follows.js';
import { newEvent, outboxInsert } from '../outbox.js';

export async function deleteOwnAccount(
  database: Database,
  input: { accountId: string; password: string; requestId?: string | null },
): Promise<{ profileImageKeys: string[] }> {
  const [account] = await database.primary
    .select({
      passwordHash: accounts.passwordHash,
      avatarKey: accounts.avatarKey,
      headerKey: accounts.headerKey,
    })
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
    const events = await endRelationsOf(tx, input.accountId, input.requestId ?? null);
    events.push(newEvent('AccountDeleted', { accountId: input.accountId }, input.requestId));
    await tx.execute(outboxInsert(events));
  });
  // The caller removes the avatar and header files once this has committed.
  return {
    profileImageKeys: [account.avatarKey, account.headerKey].filter((key) => key !== null),
  };
}

/**
 * The worker's part of deletions (the due-work job): up to `limit` live statuses of deleted
 * accounts are deleted (softly, as an author's deletion is; the media cleanup then removes their
 * attachments and files), and their authors' counters drop to zero. Rows another worker holds are
 * skipped. Returns how many were deleted: the job calls again while it gets a full batch, so a large
 * account is purged in bounded statements, never in the request that deleted it.
 */
export async function purgeDeletedAccountsStatuses(
  database: Database,
  options: { limit: number },
): Promise<number> {
  const [row] = await queryRows<{ purged: number }>(
    database.primary,
    sql`with doomed as (
        select s.id from statuses s
        where s.account_id in (select id from accounts where deleted_at is not null)
          and s.deleted_at is null
        order by s.id limit ${options.limit}
        for update of s skip locked
      ), purged as (
        update statuses s set deleted_at = now() from doomed where s.id = doomed.id
        returning s.account_id
      ), counted as (
        update accounts a set statuses_count = 0
        where a.id in (select account_id from purged) and a.statuses_count <> 0
      )
      select count(*)::int as purged from purged`,
  );
  return row?.purged ?? 0;
}
