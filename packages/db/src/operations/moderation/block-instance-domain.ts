/**
 * A moderator blocks another server for everyone (Mastodon's admin domain blocks): the block, its
 * effect on the server's accounts and follows (`domain-block-effects.ts`), the
 * `InstanceDomainBlocked` event and the audit line commit together.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import type { DomainBlockSeverity } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { normalizeDomain } from '../safety/block-domain.js';
import { applyDomainBlock } from './domain-block-effects.js';
import { logAdminAction, requireModerator, type ModeratorId } from './moderator.js';

export interface DomainBlockOptions {
  severity?: DomainBlockSeverity;
  rejectMedia?: boolean;
  rejectReports?: boolean;
  obfuscate?: boolean;
  publicComment?: string;
  privateComment?: string;
}

export const MAX_DOMAIN_BLOCK_COMMENT = 1000;

/** The options checked: comments within their length. */
export function checkDomainBlockOptions(options: DomainBlockOptions): void {
  for (const [field, value] of [
    ['public_comment', options.publicComment],
    ['private_comment', options.privateComment],
  ] as const) {
    if (value !== undefined && value.length > MAX_DOMAIN_BLOCK_COMMENT) {
      throw new DomainError(
        'InvalidField',
        `Validation failed: ${field} is too long (at most ${MAX_DOMAIN_BLOCK_COMMENT} characters)`,
        field,
      );
    }
  }
}

/** A one-line summary of a block for the audit log. */
export function describeDomainBlock(options: DomainBlockOptions): string {
  const flags = [
    options.rejectMedia && 'reject media',
    options.rejectReports && 'reject reports',
    options.obfuscate && 'obfuscated',
  ].filter(Boolean);
  return [options.severity ?? 'silence', ...flags].join(', ');
}

export interface BlockInstanceDomainInput extends DomainBlockOptions {
  moderatorId: ModeratorId;
  domain: string;
  /** This server's own host, which cannot be blocked. */
  localDomain: string;
  requestId?: string | null;
}

/** Returns the new block's id; a domain blocked already is refused (change that block instead). */
export async function blockInstanceDomain(
  database: Database,
  input: BlockInstanceDomainInput,
): Promise<{ id: string; domain: string }> {
  const domain = normalizeDomain(input.domain);
  if (!domain) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: Domain is not a valid host name',
      'domain',
    );
  }
  if (domain === normalizeDomain(input.localDomain)) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: You cannot block your own domain',
      'domain',
    );
  }
  checkDomainBlockOptions(input);
  const severity = input.severity ?? 'silence';
  return withTransaction(database, async (tx) => {
    await requireModerator(tx, input.moderatorId);
    const [created] = await queryRows<{ id: string }>(
      tx,
      sql`insert into instance_domain_blocks (domain, severity, reject_media, reject_reports,
          obfuscate, public_comment, private_comment)
        values (${domain}, ${severity}, ${input.rejectMedia ?? false}, ${input.rejectReports ?? false},
          ${input.obfuscate ?? false}, ${input.publicComment ?? ''}, ${input.privateComment ?? ''})
        on conflict (domain) do nothing returning id::text as id`,
    );
    if (!created) {
      throw new DomainError(
        'DomainAlreadyBlocked',
        `Validation failed: ${domain} is already blocked (change the existing block)`,
        'domain',
      );
    }
    const events = await applyDomainBlock(tx, created.id, severity, input.requestId);
    events.push(
      newEvent(
        'InstanceDomainBlocked',
        { domainBlockId: created.id, domain, severity, moderatorId: input.moderatorId },
        input.requestId,
      ),
    );
    await tx.execute(outboxInsert(events));
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: 'create_domain_block',
      targetType: 'DomainBlock',
      targetId: created.id,
      targetLabel: domain,
      note: describeDomainBlock({ ...input, severity }),
    });
    return { id: created.id, domain };
  });
}
