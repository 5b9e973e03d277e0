import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { visibleTo } from '../operations/visibility.js';
import { notExcludedFor } from './exclusions.js';
import { hydrateAccounts, hydrateStatuses } from './hydrate.js';
import type { AccountView, StatusView, TagView } from './views.js';

function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface SearchOptions {
  limit: number;
  offset?: number;
  viewerId?: string | null;
}

/** Accounts whose username or display name starts with the query (a leading `@` is ignored). */
export async function searchAccounts(
  executor: Executor,
  query: string,
  options: SearchOptions,
): Promise<AccountView[]> {
  const q = query.trim().replace(/^@/, '').split('@')[0]!.toLowerCase();
  if (!q) return [];
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`
    select a.id::text as id from accounts a
    where lower(a.username) like ${likePrefix(q)} or lower(a.display_name) like ${likePrefix(q)}
    order by (lower(a.username) = ${q}) desc, a.followers_count desc, a.id
    limit ${options.limit} offset ${options.offset ?? 0}`,
  );
  return hydrateAccounts(
    executor,
    rows.map((r) => r.id),
  );
}

/** Hashtags whose normalized name starts with the query (a leading `#` is ignored). */
export async function searchHashtags(
  executor: Executor,
  query: string,
  options: SearchOptions,
): Promise<TagView[]> {
  const q = query.trim().replace(/^#/, '').normalize('NFKC').toLowerCase();
  if (!q) return [];
  const rows = await queryRows<TagView>(
    executor,
    sql`
    select t.id::text as id, t.name, t.display_name as "displayName" from tags t
    where t.name like ${likePrefix(q)}
    order by (t.name = ${q}) desc, t.name
    limit ${options.limit} offset ${options.offset ?? 0}`,
  );
  return rows;
}

/** Full-text search of the posts the viewer may see, newest first, without blocked or muted accounts'. */
export async function searchStatuses(
  executor: Executor,
  query: string,
  options: SearchOptions,
): Promise<StatusView[]> {
  const q = query.trim();
  if (!q) return [];
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`
    select statuses.id::text as id from statuses
    where to_tsvector('simple', statuses.text) @@ plainto_tsquery('simple', ${q})
      and statuses.deleted_at is null and statuses.reblog_of_id is null and ${visibleTo(options.viewerId)}
      and ${notExcludedFor('statuses', options.viewerId, { mutes: true })}
    order by statuses.id desc
    limit ${options.limit} offset ${options.offset ?? 0}`,
  );
  return hydrateStatuses(
    executor,
    rows.map((r) => r.id),
    options.viewerId ?? null,
  );
}

export async function findTagByName(executor: Executor, name: string): Promise<TagView | null> {
  const rows = await queryRows<TagView>(
    executor,
    sql`
    select t.id::text as id, t.name, t.display_name as "displayName" from tags t
    where t.name = ${name.normalize('NFKC').toLowerCase()} limit 1`,
  );
  return rows[0] ?? null;
}
