/**
 * Reads for the streaming API. An API process holds sockets for some viewers; when an event comes it
 * asks, in one statement for all of them, which of those viewers may read the status (the same
 * `visibleTo` predicate every REST read uses, with the viewer as a column), whether each follows
 * the account whose home-timeline fan-out it is, and each viewer's own flags on the status. The rest
 * of the entity is the same hydration REST uses, read once. So a rule added to `visibleTo` (blocks,
 * mutes) applies to streaming without a change here, and the cost of an event is two statements
 * whatever the number of sockets.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { isSnowflakeId } from '../ids.js';
import { belongsInList } from '../operations/home-feed-rules.js';
import { visibleTo } from '../operations/visibility.js';
import { excludedAccountIds } from './exclusions.js';
import { filterMatchesJson } from './filters.js';
import { hydrateStatuses, viewerFlagColumns } from './hydrate.js';
import { getNotification } from './notifications.js';
import type { NotificationType } from '../schema/index.js';
import type { NotificationView, StatusFilterMatch, StatusView } from './views.js';

type ViewerFlags = Pick<StatusView, 'favourited' | 'reblogged' | 'bookmarked' | 'pinned'>;

/** One connected token's answer for one status. */
export interface StreamingViewer {
  tokenId: string;
  /** Null for an app token (client credentials): it sees what an anonymous reader sees. */
  viewerId: string | null;
  /** What the REST API would answer to this viewer's `GET /api/v1/statuses/:id`. */
  mayRead: boolean;
  /** The viewer follows `followedAccountId` (a home timeline receives it). */
  followsAccount: boolean;
  /**
   * The status as this viewer would get it over REST; null when it may not read it (or it is gone),
   * or when its author (or the boosted post's) is one the viewer blocks, is blocked by or mutes: as
   * the timelines leave them out.
   */
  status: StatusView | null;
  /** The viewer's `hide` filters of these contexts match the status (or the boosted post). */
  hiddenIn: { home: boolean; public: boolean };
  /**
   * The status as this viewer sees it in a timeline of each context: with `filtered` (its `warn`
   * filters' matches), as the REST timelines give it. Null as `status` is.
   */
  statusIn: { home: StatusView | null; public: StatusView | null };
}

export interface StreamingAudience {
  /** The status as an anonymous reader gets it; null when anonymous readers may not read it. */
  anonymous: StatusView | null;
  /** Every token asked about that is still valid (revoked or unknown tokens are left out). */
  viewers: StreamingViewer[];
}

interface AudienceRow {
  tokenId: string | null;
  viewerId: string | null;
  mayRead: boolean;
  followsAccount: boolean;
  excluded: boolean;
  filteredHome: StatusFilterMatch[] | null;
  filteredPublic: StatusFilterMatch[] | null;
  originalFilteredHome: StatusFilterMatch[] | null;
  originalFilteredPublic: StatusFilterMatch[] | null;
  flags: ViewerFlags | null;
  originalFlags: ViewerFlags | null;
}

const hides = (matches: StatusFilterMatch[] | null) =>
  matches?.some((match) => match.action === 'hide') ?? false;

function bigintArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

function cleanFlags(flags: ViewerFlags | null): ViewerFlags {
  return {
    favourited: flags?.favourited === true,
    reblogged: flags?.reblogged === true,
    bookmarked: flags?.bookmarked === true,
    pinned: flags?.pinned === true,
  };
}

/**
 * Who among `tokenIds` may read status `statusId` (its row is read even when deleted if
 * `includeDeleted`, to address a `delete` to the same people the `update` went to), whether each
 * follows `followedAccountId`, and the status as each of them sees it. Two statements.
 */
export async function streamingAudience(
  executor: Executor,
  input: {
    statusId: string;
    tokenIds: readonly string[];
    followedAccountId: string;
    includeDeleted?: boolean;
  },
): Promise<StreamingAudience> {
  const { statusId, followedAccountId } = input;
  if (!isSnowflakeId(statusId) || !isSnowflakeId(followedAccountId)) {
    return { anonymous: null, viewers: [] };
  }
  const tokenIds = input.tokenIds.filter(isSnowflakeId);
  const alive = input.includeDeleted ? sql`` : sql`and statuses.deleted_at is null`;
  const viewer = sql`t.account_id`;
  const excluded = excludedAccountIds(viewer, { mutes: true });
  // A boost is judged by what it boosts (as the timelines' filters and exclusions do).
  const shown = sql`coalesce((select reblog_of_id from statuses where id = ${statusId}), ${statusId}::bigint)`;
  const rowsRead = queryRows<AudienceRow>(
    executor,
    sql`
    select t.id::text as "tokenId", t.account_id::text as "viewerId",
      exists(select 1 from statuses where statuses.id = ${statusId} ${alive}
        and ${visibleTo(viewer)}) as "mayRead",
      exists(select 1 from follows f where f.account_id = t.account_id
        and f.target_account_id = ${followedAccountId}) as "followsAccount",
      exists(select 1 from statuses xs where xs.id in (${statusId}, ${shown})
        and xs.account_id in ${excluded}) as "excluded",
      (select ${filterMatchesJson('fs', viewer, 'home')} from statuses fs where fs.id = ${statusId})
        as "filteredHome",
      (select ${filterMatchesJson('fs', viewer, 'public')} from statuses fs where fs.id = ${statusId})
        as "filteredPublic",
      (select ${filterMatchesJson('fo', viewer, 'home')} from statuses fs
        join statuses fo on fo.id = fs.reblog_of_id where fs.id = ${statusId}) as "originalFilteredHome",
      (select ${filterMatchesJson('fo', viewer, 'public')} from statuses fs
        join statuses fo on fo.id = fs.reblog_of_id where fs.id = ${statusId}) as "originalFilteredPublic",
      (select row_to_json(x) from (select ${viewerFlagColumns(sql`s`, viewer)}
        from statuses s where s.id = ${statusId}) x) as "flags",
      (select row_to_json(x) from (select ${viewerFlagColumns(sql`o`, viewer)}
        from statuses s join statuses o on o.id = s.reblog_of_id where s.id = ${statusId}) x)
        as "originalFlags"
    from unnest(${bigintArray(tokenIds)}::bigint[]) as wanted(id)
    join oauth_access_tokens t on t.id = wanted.id and t.revoked_at is null
    union all
    select null, null, exists(select 1 from statuses where statuses.id = ${statusId} ${alive}
        and ${visibleTo(null)}), false, false, null, null, null, null, null, null`,
    // Prepared: planning this statement took PostgreSQL about as long as running it for a hundred
    // tokens, once per event; its best plan (probe each token by its key) does not depend on the values.
    { prepared: true },
  );
  const [rows, hydrated] = await Promise.all([
    rowsRead,
    input.includeDeleted ? Promise.resolve([]) : hydrateStatuses(executor, [statusId], null),
  ]);
  const base = hydrated[0] ?? null;
  const asSeenBy = (row: AudienceRow): StatusView | null => {
    if (!row.mayRead || row.excluded || base === null) return null;
    return {
      ...base,
      ...cleanFlags(row.flags),
      reblog: base.reblog === null ? null : { ...base.reblog, ...cleanFlags(row.originalFlags) },
    };
  };
  const withMatches = (
    status: StatusView | null,
    own: StatusFilterMatch[] | null,
    original: StatusFilterMatch[] | null,
  ): StatusView | null =>
    status === null
      ? null
      : {
          ...status,
          filtered: own ?? [],
          reblog: status.reblog === null ? null : { ...status.reblog, filtered: original ?? [] },
        };
  const anonymousRow = rows.find((row) => row.tokenId === null);
  return {
    anonymous: anonymousRow ? asSeenBy(anonymousRow) : null,
    viewers: rows
      .filter((row): row is AudienceRow & { tokenId: string } => row.tokenId !== null)
      .map((row) => {
        const status = asSeenBy(row);
        return {
          tokenId: row.tokenId,
          viewerId: row.viewerId,
          mayRead: row.mayRead,
          followsAccount: row.followsAccount,
          status,
          // As the REST timelines: a `hide` match of the status or of the post it boosts.
          hiddenIn: {
            home: hides(row.filteredHome) || hides(row.originalFilteredHome),
            public: hides(row.filteredPublic) || hides(row.originalFilteredPublic),
          },
          statusIn: {
            home: withMatches(status, row.filteredHome, row.originalFilteredHome),
            public: withMatches(status, row.filteredPublic, row.originalFilteredPublic),
          },
        };
      }),
  };
}

/**
 * A set of account ids an API process keeps (the viewers connected to it), with its PostgreSQL
 * array literal kept beside it so that a statement per event does not rebuild (nor re-validate)
 * thousands of ids. Its members must be snowflake ids.
 */
export interface ConnectedAccounts {
  readonly size: number;
  has(accountId: string): boolean;
  /** `{1,2,3}`. */
  arrayLiteral(): string;
}

/**
 * The accounts among `viewers` that follow `accountId`: whose home timelines a post of theirs
 * reaches. One statement that walks the smaller side: the author's followers (read with a limit of
 * one more than the viewers, so at most that many rows), and only when they are more than the
 * viewers, a second one that asks about the viewers. Most authors have fewer followers than an API
 * process has readers, so an event usually costs one index range of the author's followers.
 */
export async function followersAmong(
  executor: Executor,
  accountId: string,
  viewers: ConnectedAccounts,
): Promise<Set<string>> {
  if (viewers.size === 0 || !isSnowflakeId(accountId)) return new Set();
  const followers = await queryRows<{ id: string }>(
    executor,
    sql`select f.account_id::text as id from follows f
      where f.target_account_id = ${accountId} limit ${viewers.size + 1}`,
    { prepared: true },
  );
  if (followers.length <= viewers.size) {
    return new Set(followers.map((row) => row.id).filter((id) => viewers.has(id)));
  }
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`select f.account_id::text as id from follows f
      where f.target_account_id = ${accountId}
        and f.account_id = any(${viewers.arrayLiteral()}::bigint[])`,
  );
  return new Set(rows.map((row) => row.id));
}

/** The tokens among `tokenIds` that are still valid (not revoked, not deleted). One statement. */
export async function validTokenIds(
  executor: Executor,
  tokenIds: readonly string[],
): Promise<Set<string>> {
  const ids = tokenIds.filter(isSnowflakeId);
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`select t.id::text as id from unnest(${bigintArray(ids)}::bigint[]) as wanted(id)
      join oauth_access_tokens t on t.id = wanted.id and t.revoked_at is null`,
  );
  return new Set(rows.map((row) => row.id));
}

/** What a NotificationCreated event names: the notification's fact key. */
export interface NotificationFact {
  accountId: string;
  type: NotificationType;
  fromAccountId: string;
  statusId: string | null;
}

/**
 * The notification a NotificationCreated event announced, as its recipient reads it over REST, or
 * null when it is gone (dismissed, or its status deleted, since). One indexed lookup, then the REST read.
 */
export async function notificationByFact(
  executor: Executor,
  fact: NotificationFact,
): Promise<NotificationView | null> {
  const [row] = await queryRows<{ id: string }>(
    executor,
    sql`select n.id::text as id from notifications n
      where n.account_id = ${fact.accountId} and n.type = ${fact.type}
        and n.from_account_id = ${fact.fromAccountId}
        and n.status_id is not distinct from ${fact.statusId}::bigint`,
  );
  if (!row) return null;
  try {
    return await getNotification(executor, fact.accountId, row.id);
  } catch (err) {
    // Its status went between the two reads: nothing to announce.
    if (err instanceof DomainError) return null;
    throw err;
  }
}

/**
 * Among `listIds` (the lists someone streams on this process), those whose timeline status
 * `statusId` belongs in: its author is a member, and the list's rules (`belongsInList`, shared
 * with the list feeds) take it. Whether each owner may read it is the audience's question.
 */
export async function listsReceiving(
  executor: Executor,
  statusId: string,
  listIds: readonly string[],
): Promise<Set<string>> {
  const ids = listIds.filter(isSnowflakeId);
  if (ids.length === 0 || !isSnowflakeId(statusId)) return new Set();
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`select l.id::text as id from statuses s
      join list_accounts m on m.account_id = s.account_id
      join lists l on l.id = m.list_id
      where s.id = ${statusId} and l.id = any(${bigintArray(ids)}::bigint[])
        and ${belongsInList(sql`s`, sql`l`)}`,
  );
  return new Set(rows.map((row) => row.id));
}
