import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import type { FilterAction, FilterContext } from '../schema/index.js';

export interface FilterKeywordView {
  id: string;
  keyword: string;
  wholeWord: boolean;
}

export interface FilterStatusView {
  id: string;
  statusId: string;
}

export interface FilterView {
  id: string;
  title: string;
  context: FilterContext[];
  action: FilterAction;
  expiresAt: Date | null;
  keywords: FilterKeywordView[];
  statuses: FilterStatusView[];
}

interface FilterRow extends Omit<FilterView, 'expiresAt'> {
  expiresAt: string | null;
}

function filterRows(where: SQL): SQL {
  return sql`select f.id::text as id, f.title, f.context, f.action, f.expires_at as "expiresAt",
      coalesce((select json_agg(json_build_object('id', k.id::text, 'keyword', k.keyword,
        'wholeWord', k.whole_word) order by k.id) from filter_keywords k where k.filter_id = f.id),
        '[]'::json) as keywords,
      coalesce((select json_agg(json_build_object('id', fs.id::text, 'statusId', fs.status_id::text)
        order by fs.id) from filter_statuses fs where fs.filter_id = f.id), '[]'::json) as statuses
    from filters f where ${where} order by f.id`;
}

const toView = (row: FilterRow): FilterView => ({
  ...row,
  expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt),
});

/** Every filter of an account (expired ones too, as Mastodon lists them), oldest first. */
export async function filtersOf(executor: Executor, accountId: string): Promise<FilterView[]> {
  const rows = await queryRows<FilterRow>(executor, filterRows(sql`f.account_id = ${accountId}`));
  return rows.map(toView);
}

/** One of the account's filters, or null. */
export async function findFilter(
  executor: Executor,
  accountId: string,
  filterId: string,
): Promise<FilterView | null> {
  if (!isSnowflakeId(filterId)) return null;
  const [row] = await queryRows<FilterRow>(
    executor,
    filterRows(sql`f.account_id = ${accountId} and f.id = ${filterId}`),
  );
  return row ? toView(row) : null;
}

/** The filter (of the account) holding the keyword or filtered-status entry `partId`, or null. */
async function findFilterHolding(
  executor: Executor,
  accountId: string,
  parts: 'filter_keywords' | 'filter_statuses',
  partId: string,
): Promise<FilterView | null> {
  if (!isSnowflakeId(partId)) return null;
  const [row] = await queryRows<FilterRow>(
    executor,
    filterRows(sql`f.account_id = ${accountId}
      and f.id = (select p.filter_id from ${sql.identifier(parts)} p where p.id = ${partId})`),
  );
  return row ? toView(row) : null;
}

/** The filter (of the account) that holds keyword `keywordId`, or null. */
export const findFilterByKeyword = (executor: Executor, accountId: string, keywordId: string) =>
  findFilterHolding(executor, accountId, 'filter_keywords', keywordId);

/** The filter (of the account) that holds filtered-status entry `filterStatusId`, or null. */
export const findFilterByStatusEntry = (
  executor: Executor,
  accountId: string,
  filterStatusId: string,
) => findFilterHolding(executor, accountId, 'filter_statuses', filterStatusId);

/**
 * The filters of the viewer (an id, or an SQL expression such as a column) that match status `s`
 * (a table alias) in `context`, as JSON in the shape of `StatusFilterMatch` (an empty array when none). Expired filters never match. Text and
 * content warning are matched; a keyword is a case-insensitive regular expression
 * (`operations/filters/rules.ts`).
 */
export function filterMatchesJson(s: string, viewerId: string | SQL, context: FilterContext): SQL {
  // A viewer without filters (most) pays one probe per statement (an InitPlan), not one per status.
  return sql`case when not exists (select 1 from filters fx where fx.account_id = ${viewerId})
    then '[]'::json else coalesce((select json_agg(m.result order by m.id) from (
      select f.id, json_build_object('id', f.id::text, 'title', f.title, 'context', f.context,
        'action', f.action, 'expiresAt', f.expires_at,
        'keywordMatches', (select json_agg(k.keyword order by k.id) from filter_keywords k
          where ${keywordMatches('k', 'f', s)}),
        'statusMatches', (select json_agg(fs.status_id::text) from filter_statuses fs
          where ${statusListed('fs', 'f', s)})) as result
      from filters f
      where ${filterApplies('f', sql`${viewerId}`, context)}
    ) m where m.result->>'keywordMatches' is not null or m.result->>'statusMatches' is not null),
    '[]'::json) end`;
}

/*
 * The matching rules, shared by the read side (`filterMatchesJson`: what matched, for the client)
 * and the delivery side (`hiddenByFilterOf`: whether to leave it out). Arguments are table aliases.
 */

/** Filter `f` belongs to `accountId`, applies in `context` and has not expired. */
function filterApplies(f: string, accountId: SQL, context: FilterContext): SQL {
  const filter = sql.raw(f);
  return sql`${filter}.account_id = ${accountId} and ${context} = any(${filter}.context)
    and (${filter}.expires_at is null or ${filter}.expires_at > now())`;
}

/** Keyword `k` of filter `f` matches the text or content warning of status `s`. */
function keywordMatches(k: string, f: string, s: string): SQL {
  const [keyword, filter, status] = [sql.raw(k), sql.raw(f), sql.raw(s)];
  return sql`${keyword}.filter_id = ${filter}.id
    and (${status}.text || ' ' || ${status}.spoiler_text) ~* ${keyword}.pattern`;
}

/** Entry `x` of filter `f` lists status `s` itself. */
function statusListed(x: string, f: string, s: string): SQL {
  const [entry, filter, status] = [sql.raw(x), sql.raw(f), sql.raw(s)];
  return sql`${entry}.filter_id = ${filter}.id and ${entry}.status_id = ${status}.id`;
}

/**
 * True when a `hide` filter of account `accountId` (an SQL expression) in `context` matches status
 * `statusId` (an SQL expression): what reads leave out, for places that decide per row for many
 * accounts at once (a Web Push for a notification the app would not show).
 */
export function hiddenByFilterOf(accountId: SQL, statusId: SQL, context: FilterContext): SQL {
  return sql`exists (select 1 from filters hf join statuses hs on hs.id = ${statusId}
    where ${filterApplies('hf', accountId, context)} and hf.action = 'hide'
      and (exists (select 1 from filter_keywords hk where ${keywordMatches('hk', 'hf', 'hs')})
        or exists (select 1 from filter_statuses hx where ${statusListed('hx', 'hf', 'hs')})))`;
}
