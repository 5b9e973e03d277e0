import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { literalLimit, newestFirst, orderFor, pageConditions, type Page } from './pagination.js';

export interface DomainBlocksPage {
  domains: string[];
  firstCursor: string | null;
  lastCursor: string | null;
}

/** The domains an account blocks, most recently blocked first, paged by block id (Link). */
export async function domainBlocksOf(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<DomainBlocksPage> {
  const { where, ascending } = pageConditions(sql`b.id`, page);
  const rows = await queryRows<{ cursor: string; domain: string }>(
    executor,
    sql`select b.id::text as cursor, b.domain from account_domain_blocks b
      where b.account_id = ${accountId} and ${where}
      order by ${orderFor(sql`b.id`, ascending)} limit ${literalLimit(page.limit)}`,
  );
  const ordered = newestFirst(rows, ascending);
  return {
    domains: ordered.map((r) => r.domain),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}
