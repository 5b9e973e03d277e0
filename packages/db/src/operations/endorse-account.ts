import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { DomainError } from '../errors.js';
import { accountEndorsements, follows } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { requireAccount } from './follows.js';
import { newEvent, outboxInsert } from './outbox.js';

/**
 * Features an account the account follows on its profile (Mastodon's endorsements); endorsing
 * twice changes nothing. A new endorsement writes AccountEndorsed.
 */
export async function endorseAccount(
  database: Database,
  input: { accountId: string; targetAccountId: string; requestId?: string | null },
): Promise<void> {
  await withTransaction(database, async (tx) => {
    await requireAccount(tx, input.targetAccountId);
    const [following] = await tx
      .select({ id: follows.id })
      .from(follows)
      .where(
        and(
          eq(follows.accountId, input.accountId),
          eq(follows.targetAccountId, input.targetAccountId),
        ),
      );
    if (!following) {
      throw new DomainError(
        'InvalidField',
        'Validation failed: You need to follow this account to feature it',
      );
    }
    const inserted = await tx
      .insert(accountEndorsements)
      .values({ accountId: input.accountId, targetAccountId: input.targetAccountId })
      .onConflictDoNothing()
      .returning({ id: accountEndorsements.id });
    if (inserted.length === 0) return;
    await tx.execute(
      outboxInsert([
        newEvent(
          'AccountEndorsed',
          { accountId: input.accountId, targetAccountId: input.targetAccountId },
          input.requestId,
        ),
      ]),
    );
  });
}
