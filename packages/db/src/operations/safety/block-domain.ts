import { domainToASCII } from 'node:url';
import { sql } from 'drizzle-orm';
import type { DomainEvent } from '@murmur/events';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { withTransaction } from '../../transaction.js';
import { deleteFollow } from '../follows.js';
import { newEvent, outboxInsert } from '../outbox.js';

/**
 * A person's domain blocks (Mastodon's `/api/v1/domain_blocks`), stored and listed. The exclusions
 * (`queries/exclusions.ts`) hide the accounts of a blocked server from every list, the notify step
 * refuses their notifications, and a new block ends the follows with that server's accounts both
 * ways (each with its AccountUnfollowed, as an unfollow). Only their owner sees them.
 */

/**
 * The host name as stored: lower-case, punycode, without a trailing dot, with its port when it has
 * one (remote accounts' `domain` keeps a port that is not the default); null if it is none.
 */
export function normalizeDomain(input: string): string | null {
  const withPort = /^(.*):([0-9]{1,5})$/.exec(input.trim());
  if (withPort) {
    const port = Number(withPort[2]);
    const host = normalizeDomain(withPort[1]!);
    return host && port > 0 && port < 65536 ? `${host}:${port}` : null;
  }
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
  await withTransaction(database, async (tx) => {
    const inserted = await queryRows(
      tx,
      sql`insert into account_domain_blocks (account_id, domain) values (${input.accountId}, ${domain})
        on conflict do nothing returning 1`,
    );
    if (inserted.length === 0) return;
    const follows = await queryRows<{ accountId: string; targetAccountId: string }>(
      tx,
      sql`select f.account_id::text as "accountId", f.target_account_id::text as "targetAccountId"
        from follows f join accounts a on a.id in (f.account_id, f.target_account_id)
        where a.domain = ${domain}
          and ${input.accountId} in (f.account_id, f.target_account_id)`,
    );
    const events: DomainEvent[] = [];
    for (const pair of follows) {
      if (await deleteFollow(tx, pair)) events.push(newEvent('AccountUnfollowed', pair, null));
    }
    if (events.length > 0) await tx.execute(outboxInsert(events));
  });
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
