/**
 * A moderator lifts an instance domain block: the accounts it silenced or suspended are restored
 * (not those a moderator acted on one by one), with the `InstanceDomainUnblocked` event and the
 * audit line. Follows it ended stay ended, as after Mastodon's.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import type { DomainBlockSeverity } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { liftDomainBlock } from './domain-block-effects.js';
import { logAdminAction, requireModerator, type ModeratorId } from './moderator.js';

export async function unblockInstanceDomain(
  database: Database,
  input: { moderatorId: ModeratorId; id: string; requestId?: string | null },
): Promise<{ domain: string }> {
  const notFound = () => new DomainError('DomainBlockNotFound', 'Record not found');
  if (!/^[0-9]{1,19}$/.test(input.id)) throw notFound();
  return withTransaction(database, async (tx) => {
    await requireModerator(tx, input.moderatorId);
    const [block] = await queryRows<{ domain: string; severity: DomainBlockSeverity }>(
      tx,
      sql`select domain, severity from instance_domain_blocks where id = ${input.id} for update`,
    );
    if (!block) throw notFound();
    await liftDomainBlock(tx, input.id, block.severity);
    await tx.execute(sql`delete from instance_domain_blocks where id = ${input.id}`);
    await tx.execute(
      outboxInsert([
        newEvent(
          'InstanceDomainUnblocked',
          { domainBlockId: input.id, domain: block.domain, moderatorId: input.moderatorId },
          input.requestId,
        ),
      ]),
    );
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: 'destroy_domain_block',
      targetType: 'DomainBlock',
      targetId: input.id,
      targetLabel: block.domain,
    });
    return { domain: block.domain };
  });
}
