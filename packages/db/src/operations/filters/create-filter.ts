import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../client.js';
import { queryRows } from '../../client.js';
import { DomainError } from '../../errors.js';
import { findFilter, type FilterView } from '../../queries/filters.js';
import { withTransaction } from '../../transaction.js';
import {
  checkedAction,
  checkedContext,
  checkedKeyword,
  checkedTitle,
  expiryFrom,
  keywordPattern,
  MAX_FILTERS_PER_ACCOUNT,
  MAX_KEYWORDS_PER_FILTER,
} from './rules.js';

export interface KeywordInput {
  keyword: string;
  wholeWord?: boolean;
}

export interface CreateFilterInput {
  accountId: string;
  title: string;
  context: readonly string[];
  action?: string;
  /** Seconds from now; absent, null or 0: never expires. */
  expiresIn?: number | null;
  keywords?: readonly KeywordInput[];
  now?: Date;
}

/**
 * Creates a filter with its keywords (Mastodon's POST /api/v2/filters). Filters only change what
 * their owner reads, applied at read time (`filterMatchesJson`): no events.
 */
export async function createFilter(
  database: Database,
  input: CreateFilterInput,
): Promise<FilterView> {
  const title = checkedTitle(input.title);
  const context = checkedContext(input.context);
  const action = checkedAction(input.action ?? 'warn');
  const expiresAt = expiryFrom(input.expiresIn, input.now);
  const keywords = (input.keywords ?? []).map((k) => ({
    keyword: checkedKeyword(k.keyword),
    wholeWord: k.wholeWord ?? true,
  }));
  checkKeywordCount(keywords.length);
  return withTransaction(database, async (tx) => {
    const [count] = await queryRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from filters where account_id = ${input.accountId}`,
    );
    if ((count?.n ?? 0) >= MAX_FILTERS_PER_ACCOUNT) {
      throw new DomainError(
        'InvalidField',
        `Validation failed: You cannot have more than ${MAX_FILTERS_PER_ACCOUNT} filters`,
      );
    }
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`insert into filters (account_id, title, context, action, expires_at)
        values (${input.accountId}, ${title}, ${`{${context.join(',')}}`}::text[], ${action},
          ${expiresAt?.toISOString() ?? null}::timestamptz)
        returning id::text as id`,
    );
    await insertKeywords(tx, row!.id, keywords);
    return (await findFilter(tx, input.accountId, row!.id))!;
  });
}

export function checkKeywordCount(count: number): void {
  if (count > MAX_KEYWORDS_PER_FILTER) {
    throw new DomainError(
      'InvalidField',
      `Validation failed: A filter has at most ${MAX_KEYWORDS_PER_FILTER} keywords`,
      'keywords_attributes',
    );
  }
}

/** Inserts checked keywords into a filter. */
export async function insertKeywords(
  tx: Executor,
  filterId: string,
  keywords: readonly { keyword: string; wholeWord: boolean }[],
): Promise<string[]> {
  if (keywords.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`insert into filter_keywords (filter_id, keyword, whole_word, pattern)
      select ${filterId}, k.keyword, k.whole_word, k.pattern from unnest(
        ${sql.param(keywords.map((k) => k.keyword))}::text[],
        ${sql.param(keywords.map((k) => k.wholeWord))}::boolean[],
        ${sql.param(keywords.map((k) => keywordPattern(k.keyword, k.wholeWord)))}::text[]
      ) with ordinality as k(keyword, whole_word, pattern, ord)
      order by k.ord
      returning id::text as id`,
  );
  return rows.map((r) => r.id);
}
