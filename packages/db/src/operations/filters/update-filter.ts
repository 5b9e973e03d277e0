import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { queryRows } from '../../client.js';
import { findFilter, type FilterView } from '../../queries/filters.js';
import { withTransaction } from '../../transaction.js';
import { checkKeywordCount, insertKeywords } from './create-filter.js';
import {
  checkedAction,
  checkedContext,
  checkedKeyword,
  checkedTitle,
  expiryFrom,
  filterNotFound,
  keywordPattern,
} from './rules.js';

export interface KeywordChange {
  /** An existing keyword of the filter; absent: a new one. */
  id?: string;
  keyword?: string;
  wholeWord?: boolean;
  /** Remove the keyword with `id`. */
  destroy?: boolean;
}

export interface UpdateFilterInput {
  accountId: string;
  filterId: string;
  title?: string;
  context?: readonly string[];
  action?: string;
  /** Seconds from now; null or 0: never; absent: unchanged. */
  expiresIn?: number | null;
  keywords?: readonly KeywordChange[];
  now?: Date;
}

/**
 * Changes a filter (Mastodon's PUT /api/v2/filters/:id): the fields given, and its keywords as
 * Mastodon's `keywords_attributes` (with `id`: change or, with `_destroy`, remove; without: add).
 */
export async function updateFilter(
  database: Database,
  input: UpdateFilterInput,
): Promise<FilterView> {
  const title = input.title === undefined ? undefined : checkedTitle(input.title);
  const context = input.context === undefined ? undefined : checkedContext(input.context);
  const action = input.action === undefined ? undefined : checkedAction(input.action);
  const expiresAt =
    input.expiresIn === undefined ? undefined : expiryFrom(input.expiresIn, input.now);
  const changes = (input.keywords ?? []).map((k) => ({
    ...k,
    keyword: k.keyword === undefined ? undefined : checkedKeyword(k.keyword),
  }));
  return withTransaction(database, async (tx) => {
    const current = await findFilter(tx, input.accountId, input.filterId);
    if (!current) throw filterNotFound();
    await tx.execute(sql`update filters set
        title = coalesce(${title ?? null}, title),
        context = coalesce(${context ? `{${context.join(',')}}` : null}::text[], context),
        action = coalesce(${action ?? null}, action),
        expires_at = ${expiresAt === undefined ? sql`expires_at` : sql`${expiresAt?.toISOString() ?? null}::timestamptz`}
      where id = ${current.id}`);
    const known = new Map(current.keywords.map((k) => [k.id, k]));
    const added: { keyword: string; wholeWord: boolean }[] = [];
    for (const change of changes) {
      if (change.id === undefined) {
        if (change.destroy || change.keyword === undefined) continue;
        added.push({ keyword: change.keyword, wholeWord: change.wholeWord ?? true });
        continue;
      }
      const existing = known.get(change.id);
      if (!existing) throw filterNotFound();
      if (change.destroy) {
        await tx.execute(sql`delete from filter_keywords where id = ${existing.id}`);
        known.delete(existing.id);
        continue;
      }
      const keyword = change.keyword ?? existing.keyword;
      const wholeWord = change.wholeWord ?? existing.wholeWord;
      await tx.execute(sql`update filter_keywords set keyword = ${keyword}, whole_word = ${wholeWord},
        pattern = ${keywordPattern(keyword, wholeWord)} where id = ${existing.id}`);
    }
    checkKeywordCount(known.size + added.length);
    await insertKeywords(tx, current.id, added);
    return (await findFilter(tx, input.accountId, current.id))!;
  });
}

/** Deletes one of the account's filters with its keywords and statuses. */
export async function deleteFilter(
  database: Database,
  input: { accountId: string; filterId: string },
): Promise<void> {
  const current = await findFilter(database.primary, input.accountId, input.filterId);
  if (!current) throw filterNotFound();
  await queryRows(database.primary, sql`delete from filters where id = ${current.id} returning 1`);
}
