/**
 * A remote actor deleted itself (an incoming `Delete` of a `Person`, sent by its own server). The
 * account is marked suspended, which every reader of profiles and statuses already honours (its
 * posts and boosts vanish from timelines, threads, search and notifications at once, without a
 * job), and the follows both ways end with the AccountUnfollowed each unfollow writes (counters,
 * home feeds); pending follow requests close. Deleting twice changes nothing.
 */
import { sql } from 'drizzle-orm';
import type { DomainEvent } from '@murmur/events';
import { queryRows, type Database } from '../../client.js';
import { withTransaction } from '../../transaction.js';
import { closeFollowRequest } from '../follow-requests.js';
import { deleteFollow } from '../follows.js';
import { newEvent, outboxInsert } from '../outbox.js';

export async function deleteRemoteAccount(database: Database, accountId: string): Promise<void> {
  await withTransaction(database, async (tx) => {
    const marked = await queryRows<{ id: string }>(
      tx,
      sql`update accounts set suspended_at = now()
        where id = ${accountId} and domain is not null and suspended_at is null
        returning id::text as id`,
    );
    if (marked.length === 0) return;
    const related = await queryRows<{ accountId: string; targetAccountId: string }>(
      tx,
      sql`select account_id::text as "accountId", target_account_id::text as "targetAccountId"
        from follows where account_id = ${accountId} or target_account_id = ${accountId}
        union select account_id::text, target_account_id::text
        from follow_requests where account_id = ${accountId} or target_account_id = ${accountId}`,
    );
    const events: DomainEvent[] = [];
    for (const pair of related) {
      if (await deleteFollow(tx, pair)) events.push(newEvent('AccountUnfollowed', pair, null));
      await closeFollowRequest(tx, { ...pair, requestId: null }, 'withdrawn');
    }
    if (events.length > 0) await tx.execute(outboxInsert(events));
  });
}
