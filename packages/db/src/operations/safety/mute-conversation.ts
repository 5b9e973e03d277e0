import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { threadRootOf } from '../../queries/conversation-mutes.js';
import { getVisibleStatus } from '../statuses/visible.js';

/**
 * Mutes the conversation of a status the account may see (Mastodon's POST
 * /api/v1/statuses/:id/mute): the notify step then creates no notification about any status of
 * the thread for it. Muting twice changes nothing. Only its owner sees it: no event.
 */
export async function muteConversation(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<void> {
  const status = await getVisibleStatus(database.primary, input.statusId, input.accountId);
  await database.primary.execute(
    sql`insert into conversation_mutes (account_id, root_status_id)
      values (${input.accountId}, ${threadRootOf(sql`${status.id}::bigint`)})
      on conflict do nothing`,
  );
}

/** Unmutes the conversation of a status the account may see; one not muted is fine. */
export async function unmuteConversation(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<void> {
  const status = await getVisibleStatus(database.primary, input.statusId, input.accountId);
  await database.primary.execute(
    sql`delete from conversation_mutes where account_id = ${input.accountId}
      and root_status_id = ${threadRootOf(sql`${status.id}::bigint`)}`,
  );
}
