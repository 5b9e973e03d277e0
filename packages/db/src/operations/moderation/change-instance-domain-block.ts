/**
 * A moderator changes an instance domain block (its severity or options): the old severity's
 * effect is lifted and the new one applied in one transaction, with the `InstanceDomainBlocked`
 * event and the audit line.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import type { DomainBlockSeverity } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import {
  checkDomainBlockOptions,
  describeDomainBlock,
  type DomainBlockOptions,
} from './block-instance-domain.js';
import { applyDomainBlock, liftDomainBlock } from './domain-block-effects.js';
import { logAdminAction, requireModerator, type ModeratorId } from './moderator.js';

export async function changeInstanceDomainBlock(
  database: Database,
  input: DomainBlockOptions & { moderatorId: ModeratorId; id: string; requestId?: string | null },
): Promise<void> {
  checkDomainBlockOptions(input);
  if (!/^[0-9]{1,19}$/.test(input.id)) throw notFound();
  await withTransaction(database, async (tx) => {
    await requireModerator(tx, input.moderatorId);
    const [before] = await queryRows<{ domain: string; severity: DomainBlockSeverity }>(
      tx,
      sql`select domain, severity from instance_domain_blocks where id = ${input.id} for update`,
    );
    if (!before) throw notFound();
    const severity = input.severity ?? before.severity;
    const [after] = await queryRows<Required<DomainBlockOptions>>(
      tx,
      sql`update instance_domain_blocks set severity = ${severity},
          reject_media = coalesce(${input.rejectMedia ?? null}::boolean, reject_media),
          reject_reports = coalesce(${input.rejectReports ?? null}::boolean, reject_reports),
          obfuscate = coalesce(${input.obfuscate ?? null}::boolean, obfuscate),
          public_comment = coalesce(${input.publicComment ?? null}::text, public_comment),
          private_comment = coalesce(${input.privateComment ?? null}::text, private_comment),
          updated_at = now()
        where id = ${input.id}
        returning severity, reject_media as "rejectMedia", reject_reports as "rejectReports",
          obfuscate`,
    );
    const events =
      severity === before.severity
        ? []
        : (await liftDomainBlock(tx, input.id, before.severity),
          await applyDomainBlock(tx, input.id, severity, input.requestId));
    events.push(
      newEvent(
        'InstanceDomainBlocked',
        {
          domainBlockId: input.id,
          domain: before.domain,
          severity,
          moderatorId: input.moderatorId,
        },
        input.requestId,
      ),
    );
    await tx.execute(outboxInsert(events));
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: 'update_domain_block',
      targetType: 'DomainBlock',
      targetId: input.id,
      targetLabel: before.domain,
      note: describeDomainBlock(after!),
    });
  });
}

function notFound(): DomainError {
  return new DomainError('DomainBlockNotFound', 'Record not found');
}
