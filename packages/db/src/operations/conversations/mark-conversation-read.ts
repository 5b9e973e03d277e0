import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';

export function conversationNotFound(): DomainError {
  return new DomainError('ConversationNotFound', 'Record not found');
}

/** Marks one of the participant's conversations read (until a newer message arrives). */
export async function markConversationRead(
  database: Database,
  input: { accountId: string; conversationId: string },
): Promise<void> {
  if (!isSnowflakeId(input.conversationId)) throw conversationNotFound();
  const rows = await queryRows<{ id: string }>(
    database.primary,
    sql`update account_conversations set unread = false
      where id = ${input.conversationId} and account_id = ${input.accountId} returning id::text`,
  );
  if (rows.length === 0) throw conversationNotFound();
}
