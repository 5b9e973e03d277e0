import type { Database } from '../client.js';
import { withTransaction } from '../transaction.js';
import { deleteFollow, requireAccount } from './follows.js';
import { newEvent, outboxInsert } from './outbox.js';

/**
 * Removes a follower: the follow of `followerAccountId` to the account ends, counters follow. Not
 * a follower is fine. A removal writes FollowerRemoved (the follower's home timeline and the
 * account's follower list change; the notify step removes the follow notification).
 */
export async function removeFromFollowers(
  database: Database,
  input: { accountId: string; followerAccountId: string; requestId?: string | null },
): Promise<void> {
  await withTransaction(database, async (tx) => {
    await requireAccount(tx, input.followerAccountId);
    const removed = await deleteFollow(tx, {
      accountId: input.followerAccountId,
      targetAccountId: input.accountId,
    });
    if (!removed) return;
    await tx.execute(
      outboxInsert([
        newEvent(
          'FollowerRemoved',
          { accountId: input.accountId, targetAccountId: input.followerAccountId },
          input.requestId,
        ),
      ]),
    );
  });
}
