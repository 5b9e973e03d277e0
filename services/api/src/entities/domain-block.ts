/**
 * Instance domain blocks as Mastodon shows them: Admin::DomainBlock to moderators, DomainBlock to
 * the public (the domain masked when the block says so, always with its SHA-256 digest so other
 * servers can check a domain they know against a masked entry).
 */
import { createHash } from 'node:crypto';
import type { InstanceDomainBlock } from '@murmur/db/moderation';
import type { AdminDomainBlock } from '../schemas/moderation.js';
import type { DomainBlock } from '../schemas/entities.js';

/**
 * The domain with every label but the last masked after its first character (`spam.example` →
 * `s***.example`): readable enough to recognise, not to copy.
 */
export function maskDomain(domain: string): string {
  const labels = domain.split('.');
  return labels
    .map((label, index) =>
      index === labels.length - 1 || label.length <= 1
        ? label
        : label[0] + '*'.repeat(label.length - 1),
    )
    .join('.');
}

export function serializeAdminDomainBlock(block: InstanceDomainBlock): AdminDomainBlock {
  return {
    id: block.id,
    domain: block.domain,
    digest: createHash('sha256').update(block.domain).digest('hex'),
    created_at: block.createdAt.toISOString(),
    severity: block.severity,
    reject_media: block.rejectMedia,
    reject_reports: block.rejectReports,
    private_comment: block.privateComment === '' ? null : block.privateComment,
    public_comment: block.publicComment === '' ? null : block.publicComment,
    obfuscate: block.obfuscate,
  };
}

/** The public entry; `noop` blocks are never listed (they restrict nothing). */
export function serializePublicDomainBlock(
  block: InstanceDomainBlock & { severity: 'silence' | 'suspend' },
): DomainBlock {
  return {
    domain: block.obfuscate ? maskDomain(block.domain) : block.domain,
    digest: createHash('sha256').update(block.domain).digest('hex'),
    severity: block.severity,
    comment: block.publicComment === '' ? null : block.publicComment,
  };
}
