import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { conversationNotFound } from './mark-conversation-read.js';

/**
 * Removes a conversation from the participant's list (the statuses stay; a new message in the
 * thread starts it again, as on Mastodon).
 */
export async function removeConversation(
  database: Database,
  input: { accountId: string; conversationId: string },
): Promise<void> {
  if (!isSnowflakeId(input.conversationId)) throw conversationNotFound();
  const rows = await queryRows<{ id: string }>(
    database.primary,
    sql`delete from account_conversations
      where id = ${input.conversationId} and account_id = ${input.accountId} returning id::text`,
  );
  if (rows.length === 0) throw conversationNotFound();
}
