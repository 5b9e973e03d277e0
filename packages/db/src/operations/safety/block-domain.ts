import { domainToASCII } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';

/**
 * A person's domain blocks (Mastodon's `/api/v1/domain_blocks`): stored and listed. No remote
 * account exists before federation, so nothing is hidden by them yet; when it lands, the exclusions
 * (`queries/exclusions.ts`) add the accounts whose domain the viewer blocks, and a new block ends
 * the follows with that domain (ARCHITECTURE.md). Only their owner sees them: no events.
 */

/** The host name as stored: lower-case, punycode, without a trailing dot; null if it is none. */
export function normalizeDomain(input: string): string | null {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253 || /[\s/@:?#]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (
    !ascii ||
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(
      ascii,
    )
  ) {
    return null;
  }
  return ascii;
}

function invalidDomain(): DomainError {
  return new DomainError(
    'InvalidField',
    'Validation failed: Domain is not a valid host name',
    'domain',
  );
}

/** Blocks a domain; blocking it twice changes nothing. The server's own domain cannot be blocked. */
export async function blockDomain(
  database: Database,
  input: { accountId: string; domain: string; localDomain: string },
): Promise<void> {
  const domain = normalizeDomain(input.domain);
  if (!domain) throw invalidDomain();
  if (domain === normalizeDomain(input.localDomain)) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: You cannot block your own domain',
      'domain',
    );
  }
  await database.primary.execute(
    sql`insert into account_domain_blocks (account_id, domain) values (${input.accountId}, ${domain})
      on conflict do nothing`,
  );
}

/** Unblocks a domain; one that was not blocked is fine. */
export async function unblockDomain(
  database: Database,
  input: { accountId: string; domain: string },
): Promise<void> {
  const domain = normalizeDomain(input.domain);
  if (!domain) throw invalidDomain();
  await database.primary.execute(
    sql`delete from account_domain_blocks where account_id = ${input.accountId} and domain = ${domain}`,
  );
}
