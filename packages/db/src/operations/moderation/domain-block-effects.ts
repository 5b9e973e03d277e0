/**
 * What an instance domain block does to the server's accounts, applied and lifted in the
 * moderator's transaction (shared by blocking, changing and lifting a block).
 *
 * The accounts carry it in `silenced_at` / `suspended_at`, set to the block's `created_at`: every
 * reader already honours those columns (public timelines, the notify step's limited-account rule,
 * hidden suspended accounts), and lifting clears exactly the accounts whose column holds that
 * instant, so a moderator's own action on one of them survives the block's removal.
 */
import { sql } from 'drizzle-orm';
import type { DomainEvent } from '@murmur/events';
import { queryRows, type Executor } from '../../client.js';
import { domainBlockCovers } from '../../queries/instance-domain-blocks.js';
import type { DomainBlockSeverity } from '../../schema/index.js';
import { deleteFollow } from '../follows.js';
import { newEvent } from '../outbox.js';

const COLUMN_OF: Record<DomainBlockSeverity, string | null> = {
  silence: 'silenced_at',
  suspend: 'suspended_at',
  noop: null,
};

const coveredAccount = domainBlockCovers(sql`b`, sql`a.domain`);

/** Sets the severity's state on the covered remote accounts that do not have it yet. */
export async function applyDomainBlock(
  tx: Executor,
  blockId: string,
  severity: DomainBlockSeverity,
  requestId: string | null | undefined,
): Promise<DomainEvent[]> {
  const column = COLUMN_OF[severity];
  if (!column) return [];
  await tx.execute(
    sql`update accounts a set ${sql.raw(column)} = b.created_at from instance_domain_blocks b
      where b.id = ${blockId} and a.domain is not null and a.${sql.raw(column)} is null
        and ${coveredAccount}`,
  );
  if (severity !== 'suspend') return [];
  // A suspended server keeps no follows with local people, either way (as a person's domain
  // block does), and is sent nothing more: what waits in the delivery ledger is dropped.
  const pairs = await queryRows<{ accountId: string; targetAccountId: string }>(
    tx,
    sql`select f.account_id::text as "accountId", f.target_account_id::text as "targetAccountId"
      from instance_domain_blocks b
      join accounts a on a.domain is not null and ${coveredAccount}
      join follows f on a.id in (f.account_id, f.target_account_id)
      where b.id = ${blockId}`,
  );
  const events: DomainEvent[] = [];
  for (const pair of pairs) {
    if (await deleteFollow(tx, pair)) events.push(newEvent('AccountUnfollowed', pair, requestId));
  }
  await tx.execute(
    sql`update federation_deliveries d set state = 'failed', finished_at = now(),
        last_error = 'the server is suspended by this instance'
      from instance_domain_blocks b
      where b.id = ${blockId} and d.state = 'pending' and ${domainBlockCovers(sql`b`, sql`d.host`)}`,
  );
  return events;
}

/** Clears the severity's state from the accounts this block set it on. */
export async function liftDomainBlock(
  tx: Executor,
  blockId: string,
  severity: DomainBlockSeverity,
): Promise<void> {
  const column = COLUMN_OF[severity];
  if (!column) return;
  await tx.execute(
    sql`update accounts a set ${sql.raw(column)} = null from instance_domain_blocks b
      where b.id = ${blockId} and a.${sql.raw(column)} = b.created_at and ${coveredAccount}`,
  );
}
