import { sql } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { selectPage, type Page } from './pagination.js';

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
  const ordered = await selectPage<{ cursor: string; domain: string }>(
    executor,
    sql`select b.id::text as cursor, b.domain from account_domain_blocks b`,
    sql`b.id`,
    [sql`b.account_id = ${accountId}`],
    page,
  );
  return {
    domains: ordered.map((r) => r.domain),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}
