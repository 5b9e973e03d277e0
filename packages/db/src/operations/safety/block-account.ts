import { sql } from 'drizzle-orm';
import type { DomainEvent } from '@murmur/events';
import { queryRows, type Database } from '../../client.js';
import { withTransaction } from '../../transaction.js';
import { closeFollowRequest } from '../follow-requests.js';
import { deleteFollow, requireAccount } from '../follows.js';
import { newEvent, outboxInsert } from '../outbox.js';

export interface BlockInput {
  accountId: string;
  targetAccountId: string;
  requestId?: string | null;
}

/**
 * Blocks an account, as Mastodon's BlockService: the follows (and follow requests) between the two
 * end both ways, each
 * with the AccountUnfollowed an unfollow writes (the follow notification goes, the home feeds stop
 * showing the other's posts), and AccountBlocked is written (the notify step removes the blocker's
 * notifications from the blocked account). What the block hides is read from `blocks` by every
 * query. Blocking twice, or yourself, changes nothing and writes nothing.
 */
export async function blockAccount(database: Database, input: BlockInput): Promise<void> {
  // Blocking yourself does nothing, as in Mastodon (the answer is the unchanged relationship).
  if (input.accountId === input.targetAccountId) return;
  await withTransaction(database, async (tx) => {
    await requireAccount(tx, input.targetAccountId);
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`insert into blocks (account_id, target_account_id)
        values (${input.accountId}, ${input.targetAccountId})
        on conflict do nothing returning id::text as id`,
    );
    if (inserted.length === 0) return;
    const events: DomainEvent[] = [];
    for (const [from, to] of [
      [input.accountId, input.targetAccountId],
      [input.targetAccountId, input.accountId],
    ] as const) {
      if (await deleteFollow(tx, { accountId: from, targetAccountId: to })) {
        events.push(
          newEvent('AccountUnfollowed', { accountId: from, targetAccountId: to }, input.requestId),
        );
      }
      // A pending follow request ends too (it writes its own FollowRequestClosed).
      await closeFollowRequest(
        tx,
        { accountId: from, targetAccountId: to, requestId: input.requestId ?? null },
        'rejected',
      );
    }
    events.push(
      newEvent(
        'AccountBlocked',
        { accountId: input.accountId, targetAccountId: input.targetAccountId },
        input.requestId,
      ),
    );
    await tx.execute(outboxInsert(events));
  });
}
