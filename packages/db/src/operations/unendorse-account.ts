import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accountEndorsements } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { requireAccount } from './follows.js';
import { newEvent, outboxInsert } from './outbox.js';

/** Stops featuring an account (not featured is fine); a removal writes AccountUnendorsed. */
export async function unendorseAccount(
  database: Database,
  input: { accountId: string; targetAccountId: string; requestId?: string | null },
): Promise<void> {
  await withTransaction(database, async (tx) => {
    await requireAccount(tx, input.targetAccountId);
    const removed = await tx
      .delete(accountEndorsements)
      .where(
        and(
          eq(accountEndorsements.accountId, input.accountId),
          eq(accountEndorsements.targetAccountId, input.targetAccountId),
        ),
      )
      .returning({ id: accountEndorsements.id });
    if (removed.length === 0) return;
    await tx.execute(
      outboxInsert([
        newEvent(
          'AccountUnendorsed',
          { accountId: input.accountId, targetAccountId: input.targetAccountId },
          input.requestId,
        ),
      ]),
    );
  });
}
