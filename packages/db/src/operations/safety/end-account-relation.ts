import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { newEvent, outboxInsert } from '../outbox.js';

export interface AccountRelationInput {
  accountId: string;
  targetAccountId: string;
  requestId?: string | null;
}

/**
 * Ends the viewer's block or mute of an account and writes its event (AccountUnblocked,
 * AccountUnmuted); nothing (and no event) when there was none. One statement; 404 for an unknown
 * account.
 */
export async function endAccountRelation(
  database: Database,
  relation: { table: 'blocks' | 'mutes'; event: 'AccountUnblocked' | 'AccountUnmuted' },
  input: AccountRelationInput,
): Promise<void> {
  if (!isSnowflakeId(input.targetAccountId)) throw accountNotFound();
  const event = newEvent(
    relation.event,
    { accountId: input.accountId, targetAccountId: input.targetAccountId },
    input.requestId,
  );
  const [row] = await queryRows<{ found: boolean }>(
    database.primary,
    sql`with removed as (
          delete from ${sql.raw(relation.table)}
          where account_id = ${input.accountId} and target_account_id = ${input.targetAccountId}
          returning 1
        ),
        events as (${outboxInsert([event], sql`exists (select 1 from removed)`)})
        select exists (select 1 from accounts where id = ${input.targetAccountId}) as found`,
  );
  if (!row?.found) throw accountNotFound();
}

function accountNotFound(): DomainError {
  return new DomainError('AccountNotFound', 'Record not found');
}
