/**
 * A remote actor deleted itself (an incoming `Delete` of a `Person`, sent by its own server). The
 * account is marked suspended, which every reader of profiles and statuses already honours (its
 * posts and boosts vanish from timelines, threads, search and notifications at once, without a
 * job), and the follows both ways end with the AccountUnfollowed each unfollow writes (counters,
 * home feeds); pending follow requests close. Deleting twice changes nothing.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { withTransaction } from '../../transaction.js';
import { endRelationsOf } from '../follows.js';
import { outboxInsert } from '../outbox.js';

export async function deleteRemoteAccount(database: Database, accountId: string): Promise<void> {
  await withTransaction(database, async (tx) => {
    const marked = await queryRows<{ id: string }>(
      tx,
      sql`update accounts set suspended_at = now()
        where id = ${accountId} and domain is not null and suspended_at is null
        returning id::text as id`,
    );
    if (marked.length === 0) return;
    const events = await endRelationsOf(tx, accountId, null);
    if (events.length > 0) await tx.execute(outboxInsert(events));
  });
}
