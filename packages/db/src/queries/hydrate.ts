import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor, type QueryOptions } from '../client.js';
import { STATUS_MEDIA_JSON } from './media.js';
import { statusPollJson, toPollView, type PollRowJson } from './polls.js';
import type { AccountView, MediaView, StatusFilterMatch, StatusView } from './views.js';
import type { FilterContext } from '../schema/index.js';
import { filterMatchesJson } from './filters.js';
import { conversationMutedBy } from './conversation-mutes.js';
import { isSnowflakeId } from '../ids.js';
import { visibleTo } from '../operations/visibility.js';

/** The columns of an AccountView for the account `a` (one list: every reader of accounts uses it). */
export const ACCOUNT_COLUMNS = sql`a.id::text as "id", a.username, a.display_name as "displayName", a.note,
  a.created_at as "createdAt", a.statuses_count as "statusesCount", a.followers_count as "followersCount",
  a.following_count as "followingCount", a.last_status_at::text as "lastStatusAt",
  a.avatar_key as "avatarKey", a.header_key as "headerKey", a.locked, a.domain, a.uri, a.url,
  a.remote_avatar_url as "remoteAvatarUrl", a.remote_header_url as "remoteHeaderUrl"`;

/** The account `a` as JSON, in the shape `toAccountView` reads. */
export const ACCOUNT_JSON = sql`json_build_object('id', a.id::text, 'username', a.username,
  'displayName', a.display_name, 'note', a.note, 'createdAt', a.created_at,
  'statusesCount', a.statuses_count, 'followersCount', a.followers_count,
  'followingCount', a.following_count, 'lastStatusAt', a.last_status_at::text,
  'avatarKey', a.avatar_key, 'headerKey', a.header_key, 'locked', a.locked, 'domain', a.domain,
  'uri', a.uri, 'url', a.url, 'remoteAvatarUrl', a.remote_avatar_url,
  'remoteHeaderUrl', a.remote_header_url)`;

export interface AccountRowJson extends Omit<AccountView, 'createdAt'> {
  createdAt: Date | string;
}

export function toAccountView(row: AccountRowJson): AccountView {
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
    join accounts a on a.id = wanted.id and a.suspended_at is null
    order by wanted.ord`,
    { prepared: true },
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
  /** Text from drizzle's driver, which leaves timestamps unparsed. */
  createdAt: Date | string;
  editedAt: Date | string | null;
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  mentions: StatusView['mentions'];
  tags: { name: string; displayName: string }[];
  uri: string | null;
  url: string | null;
  contentHtml: string | null;
  application: { name: string; website: string | null } | null;
  mediaAttachments: MediaView[];
  poll: PollRowJson | null;
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  pinned: boolean;
  muted: boolean;
  filtered?: StatusFilterMatch[];
  /** The selection's group; null for the original of a reblog, loaded alongside. */
  grp: number | null;
}

/**
 * Statuses to hydrate, as SQL selecting `id` (bigint), `ord` (the order within a group) and `grp` (a
 * small integer splitting the result into groups, such as a thread's ancestors and descendants).
 * Callers build one from a page query, a list of ids or a thread walk, and the whole read, hydration
 * included, is one statement: every statement is a round trip, and round trips are most of the cost.
 */
export type StatusSelection = SQL;

/**
 * The ids given, in that order, as group 0. One id (the status an action answers with) is its own
 * statement text: its estimates are the same whatever the id, so a prepared hydration of one status
 * is planned once per connection, where planning it for each id cost PostgreSQL 1 ms per favourite.
 * A list stays planned for its length (a plan for any list would assume a hundred ids, and read
 * all of a busy viewer's statuses at once to answer `reblogged`).
 */
export function statusesById(ids: readonly string[]): StatusSelection {
  if (ids.length === 1) return sql`select ${ids[0]}::bigint as id, 1::bigint as ord, 0 as grp`;
  return sql`select wanted.id, wanted.ord, 0 as grp
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as wanted(id, ord)`;
}

/**
 * The viewer's own flags on the status `s` (an alias of `statuses`), as the columns `favourited`,
 * `reblogged`, `bookmarked` and `pinned`. Each is one probe of a unique index on (account, status);
 * pins only of the viewer's own. The viewer is an id or an SQL expression (one per row).
 */
export function viewerFlagColumns(s: SQL, viewerId: string | SQL): SQL {
  return sql`exists(select 1 from favourites f where f.status_id = ${s}.id and f.account_id = ${viewerId}) as "favourited",
      exists(select 1 from statuses r where r.reblog_of_id = ${s}.id and r.account_id = ${viewerId}
        and r.deleted_at is null) as "reblogged",
      exists(select 1 from bookmarks b where b.account_id = ${viewerId} and b.status_id = ${s}.id) as "bookmarked",
      (${s}.account_id = ${viewerId} and exists(select 1 from status_pins p
        where p.account_id = ${viewerId} and p.status_id = ${s}.id)) as "pinned",
      ${conversationMutedBy(sql`${viewerId}::bigint`, sql`${s}.id`)} as "muted"`;
}

/** The selected statuses by group and order, then the originals of the reblogs among them (grp null). */
async function loadStatusRows(
  executor: Executor,
  selection: StatusSelection,
  viewerId: string | null,
  options: HydrateOptions,
  includeSuspended = false,
): Promise<StatusRowJson[]> {
  // Without a viewer the flags are constants, and PostgreSQL skips the lookups per status.
  const viewerFlags =
    viewerId === null
      ? sql`false as "favourited", false as "reblogged", false as "bookmarked", false as "pinned",
        false as "muted"`
      : viewerFlagColumns(sql`s`, viewerId);
  return queryRows<StatusRowJson>(
    executor,
    sql`
    with selected as (${selection}),
    originals as (
      select distinct r.reblog_of_id as id from selected join statuses r on r.id = selected.id
      where r.reblog_of_id is not null
    ),
    wanted as (
      select id, ord, grp from selected
      union all select id, null, null from originals
    )
    select s.id::text as "id",
      (select ${ACCOUNT_JSON} from accounts a where a.id = s.account_id) as "account",
      s.text, s.spoiler_text as "spoilerText", s.sensitive, s.language, s.visibility,
      s.in_reply_to_id::text as "inReplyToId", s.in_reply_to_account_id::text as "inReplyToAccountId",
      s.reblog_of_id::text as "reblogOfId", s.created_at as "createdAt", s.edited_at as "editedAt",
      s.replies_count as "repliesCount", s.reblogs_count as "reblogsCount", s.favourites_count as "favouritesCount",
      s.uri, s.url, s.content_html as "contentHtml",
      coalesce((select json_agg(json_build_object('id', ma.id::text, 'username', ma.username,
          'domain', ma.domain, 'url', coalesce(ma.url, ma.uri)) order by ma.username collate "C")
        from mentions m join accounts ma on ma.id = m.account_id where m.status_id = s.id), '[]'::json) as "mentions",
      coalesce((select json_agg(json_build_object('name', t.name, 'displayName', t.display_name) order by t.name collate "C")
        from status_tags st join tags t on t.id = st.tag_id where st.status_id = s.id), '[]'::json) as "tags",
      (select json_build_object('name', app.name, 'website', app.website)
        from oauth_applications app where app.id = s.application_id and not app.first_party) as "application",
      ${STATUS_MEDIA_JSON} as "mediaAttachments",
      ${statusPollJson(viewerId)} as "poll",
      ${viewerFlags},
      ${
        viewerId !== null && options.filterContext
          ? sql`${filterMatchesJson('s', viewerId, options.filterContext)} as "filtered",`
          : sql``
      }
      wanted.grp
    from wanted
    join statuses s on s.id = wanted.id and s.deleted_at is null
    -- A suspended author's statuses (and boosts) are gone from every view, moderators' aside.
    where ${includeSuspended ? sql`true` : sql`not exists (select 1 from accounts sa where sa.id = s.account_id and sa.suspended_at is not null)`}
    order by wanted.grp, wanted.ord`,
    { prepared: options.prepared },
  );
}

/** How to hydrate: prepared or not (see `QueryOptions`), and the context filters apply in. */
export interface HydrateOptions extends QueryOptions {
  /**
   * Apply the viewer's filters of this context: each status carries `filtered`, and those a `hide`
   * filter matches (themselves or, for a boost, the boosted status) are left out.
   */
  filterContext?: FilterContext;
  /** Groups whose statuses are kept even when a `hide` filter matches (the status a thread is about). */
  keepHiddenIn?: readonly number[];
}

/** True when a `hide` filter matches the status or the status it boosts. */
function hiddenByFilter(view: StatusView): boolean {
  const hides = (v: StatusView | null) => v?.filtered?.some((f) => f.action === 'hide') ?? false;
  return hides(view) || hides(view.reblog);
}

function toStatusView(row: StatusRowJson, reblog: StatusView | null): StatusView {
  const { reblogOfId: _reblogOfId, grp: _grp, ...rest } = row;
  return {
    ...rest,
    createdAt: new Date(row.createdAt),
    editedAt: row.editedAt === null ? null : new Date(row.editedAt),
    poll: row.poll === null ? null : toPollView(row.poll),
    account: toAccountView(row.account),
    reblog,
  };
}

/**
 * Hydrates a selection in one statement: each status with its author, mentions, tags, application,
 * the viewer's favourite/reblog flags and, for a reblog, the original. Returns the views of each group
 * in order. Deleted statuses, and reblogs of deleted statuses, are left out. Prepared by default
 * (see `QueryOptions`): pass `{ prepared: false }` for a selection whose plan depends on its values.
 */
export async function hydrateSelection(
  executor: Executor,
  selection: StatusSelection,
  viewerId: string | null,
  options: HydrateOptions & { includeSuspended?: boolean } = { prepared: true },
): Promise<Map<number, StatusView[]>> {
  const rows = await loadStatusRows(
    executor,
    selection,
    viewerId,
    options,
    options.includeSuspended ?? false,
  );
  const originals = new Map<string, StatusView>();
  for (const row of rows) {
    if (row.grp === null) originals.set(row.id, toStatusView(row, null));
  }
  const groups = new Map<number, StatusView[]>();
  for (const row of rows) {
    if (row.grp === null) continue;
    const original = row.reblogOfId ? originals.get(row.reblogOfId) : null;
    if (original === undefined) continue;
    const view = toStatusView(row, original);
    if (options.filterContext && hiddenByFilter(view) && !options.keepHiddenIn?.includes(row.grp)) {
      continue;
    }
    const group = groups.get(row.grp) ?? [];
    group.push(view);
    groups.set(row.grp, group);
  }
  return groups;
}

/**
 * The statuses of `ids` the viewer may see, in the order given (GET /api/v1/statuses?id[]=), as
 * group 0 of a selection. Not prepared: the visibility condition differs with and without a viewer.
 */
export function visibleStatusesById(
  ids: readonly string[],
  viewerId: string | null,
): StatusSelection {
  return sql`select statuses.id, wanted.ord, 0 as grp
    from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as wanted(id, ord)
    join statuses on statuses.id = wanted.id
    where statuses.deleted_at is null and ${visibleTo(viewerId)}`;
}

/** Statuses by id, in the order given (see `hydrateSelection`). One statement. */
export async function hydrateStatuses(
  executor: Executor,
  ids: readonly string[],
  viewerId: string | null = null,
  options: {
    /** Moderators read a suspended account's reported statuses. */
    includeSuspended?: boolean;
    /** Apply the viewer's filters of this context (see `HydrateOptions`). */
    filterContext?: FilterContext;
  } = {},
): Promise<StatusView[]> {
  const valid = ids.filter(isSnowflakeId);
  if (valid.length === 0) return [];
  const groups = await hydrateSelection(executor, statusesById(valid), viewerId, {
    prepared: true,
    ...options,
  });
  return groups.get(0) ?? [];
}
