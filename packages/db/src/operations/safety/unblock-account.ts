import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { newEvent, outboxInsert } from '../outbox.js';
import type { BlockInput } from './block-account.js';

/**
 * Ends a block and writes AccountUnblocked; nothing (and no event) when there was none. The ended
 * follows are not restored (as in Mastodon). One statement; 404 for an unknown account.
 */
export async function unblockAccount(database: Database, input: BlockInput): Promise<void> {
  if (!isSnowflakeId(input.targetAccountId)) throw accountNotFound();
  const event = newEvent(
    'AccountUnblocked',
    { accountId: input.accountId, targetAccountId: input.targetAccountId },
    input.requestId,
  );
  const [row] = await queryRows<{ found: boolean }>(
    database.primary,
    sql`with removed as (
          delete from blocks
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
