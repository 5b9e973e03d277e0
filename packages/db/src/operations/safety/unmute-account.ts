import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { newEvent, outboxInsert } from '../outbox.js';

/** Ends a mute and writes AccountUnmuted; nothing (and no event) when there was none. */
export async function unmuteAccount(
  database: Database,
  input: { accountId: string; targetAccountId: string; requestId?: string | null },
): Promise<void> {
  if (!isSnowflakeId(input.targetAccountId)) throw accountNotFound();
  const event = newEvent(
    'AccountUnmuted',
    { accountId: input.accountId, targetAccountId: input.targetAccountId },
    input.requestId,
  );
  const [row] = await queryRows<{ found: boolean }>(
    database.primary,
    sql`with removed as (
          delete from mutes
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
