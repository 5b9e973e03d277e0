import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import type { AccountView, StatusView } from './views.js';
import { isSnowflakeId } from '../ids.js';

const ACCOUNT_COLUMNS = sql`a.id::text as "id", a.username, a.display_name as "displayName", a.note,
  a.created_at as "createdAt", a.statuses_count as "statusesCount", a.followers_count as "followersCount",
  a.following_count as "followingCount", a.last_status_at::text as "lastStatusAt"`;

interface AccountRowJson extends Omit<AccountView, 'createdAt'> {
  createdAt: Date | string;
}

function toAccountView(row: AccountRowJson): AccountView {
  return { ...row, createdAt: new Date(row.createdAt) };
}

/** Accounts by id, in the order given (missing ids are skipped). One query. */
export async function hydrateAccounts(
  executor: Executor,
  ids: readonly string[],
): Promise<AccountView[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<AccountRowJson & { ord: number }>(
    executor,
    sql`
    select ${ACCOUNT_COLUMNS}
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as wanted(id, ord)
    join accounts a on a.id = wanted.id
    order by wanted.ord`,
  );
  return rows.map(toAccountView);
}

interface StatusRowJson {
  id: string;
  account: AccountRowJson;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  visibility: StatusView['visibility'];
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  reblogOfId: string | null;
  createdAt: Date;
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  mentions: { id: string; username: string }[];
  tags: { name: string; displayName: string }[];
  application: { name: string; website: string | null } | null;
  favourited: boolean;
  reblogged: boolean;
}

async function loadStatuses(
  executor: Executor,
  ids: readonly string[],
  viewerId: string | null,
): Promise<StatusRowJson[]> {
  const viewer = viewerId ?? '0';
  const rows = await queryRows<StatusRowJson>(
    executor,
    sql`
    select s.id::text as "id",
      (select json_build_object('id', a.id::text, 'username', a.username, 'displayName', a.display_name,
        'note', a.note, 'createdAt', a.created_at, 'statusesCount', a.statuses_count,
        'followersCount', a.followers_count, 'followingCount', a.following_count,
        'lastStatusAt', a.last_status_at::text) from accounts a where a.id = s.account_id) as "account",
      s.text, s.spoiler_text as "spoilerText", s.sensitive, s.language, s.visibility,
      s.in_reply_to_id::text as "inReplyToId", s.in_reply_to_account_id::text as "inReplyToAccountId",
      s.reblog_of_id::text as "reblogOfId", s.created_at as "createdAt",
      s.replies_count as "repliesCount", s.reblogs_count as "reblogsCount", s.favourites_count as "favouritesCount",
      coalesce((select json_agg(json_build_object('id', ma.id::text, 'username', ma.username) order by ma.username)
        from mentions m join accounts ma on ma.id = m.account_id where m.status_id = s.id), '[]'::json) as "mentions",
      coalesce((select json_agg(json_build_object('name', t.name, 'displayName', t.display_name) order by t.name)
        from status_tags st join tags t on t.id = st.tag_id where st.status_id = s.id), '[]'::json) as "tags",
      (select json_build_object('name', app.name, 'website', app.website)
        from oauth_applications app where app.id = s.application_id and not app.first_party) as "application",
      exists(select 1 from favourites f where f.status_id = s.id and f.account_id = ${viewer}) as "favourited",
      exists(select 1 from statuses r where r.reblog_of_id = s.id and r.account_id = ${viewer}
        and r.deleted_at is null) as "reblogged"
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as wanted(id, ord)
    join statuses s on s.id = wanted.id and s.deleted_at is null
    order by wanted.ord`,
  );
  return rows;
}

function toStatusView(row: StatusRowJson, reblog: StatusView | null): StatusView {
  const { reblogOfId: _reblogOfId, ...rest } = row;
  return {
    ...rest,
    createdAt: new Date(row.createdAt),
    account: toAccountView(row.account),
    reblog,
  };
}

/**
 * Statuses by id, in the order given, with their authors, mentions, tags, application and the
 * viewer's favourite/reblog flags: one query, plus one more when the page contains reblogs. Deleted
 * statuses, and reblogs of deleted statuses, are left out.
 */
export async function hydrateStatuses(
  executor: Executor,
  ids: readonly string[],
  viewerId: string | null = null,
): Promise<StatusView[]> {
  const valid = ids.filter(isSnowflakeId);
  if (valid.length === 0) return [];
  const rows = await loadStatuses(executor, valid, viewerId);
  const originalIds = [
    ...new Set(rows.map((r) => r.reblogOfId).filter((id): id is string => !!id)),
  ];
  const originals = new Map<string, StatusView>();
  if (originalIds.length > 0) {
    for (const row of await loadStatuses(executor, originalIds, viewerId)) {
      originals.set(row.id, toStatusView(row, null));
    }
  }
  const views: StatusView[] = [];
  for (const row of rows) {
    if (!row.reblogOfId) {
      views.push(toStatusView(row, null));
      continue;
    }
    const original = originals.get(row.reblogOfId);
    if (original) views.push(toStatusView(row, original));
  }
  return views;
}
