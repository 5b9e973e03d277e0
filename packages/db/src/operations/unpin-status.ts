import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { statusPins } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { newEvent, outboxInsert } from './outbox.js';
import { getVisibleStatus } from './statuses/index.js';

/** Unpins a status from the account's profile (not pinned is fine); a removed pin writes StatusUnpinned. */
export async function unpinStatus(
  database: Database,
  input: { accountId: string; statusId: string; requestId?: string | null },
): Promise<{ id: string }> {
  return withTransaction(database, async (tx) => {
    const status = await getVisibleStatus(tx, input.statusId, input.accountId);
    const removed = await tx
      .delete(statusPins)
      .where(and(eq(statusPins.accountId, input.accountId), eq(statusPins.statusId, status.id)))
      .returning({ id: statusPins.id });
    if (removed.length > 0) {
      await tx.execute(
        outboxInsert([
          newEvent(
            'StatusUnpinned',
            { accountId: input.accountId, statusId: status.id },
            input.requestId,
          ),
        ]),
      );
    }
    return { id: status.id };
  });
}
