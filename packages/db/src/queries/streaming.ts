/**
 * Reads for the streaming API. An API process holds sockets for some viewers; when an event comes it
 * asks, in one statement for all of them, which of those viewers may read the status, whether each
 * follows the account whose home-timeline fan-out it is, and each viewer's own flags on the status.
 * The rules are those every REST read uses, read from the status's side once per event rather than
 * per viewer: `visibleToGiven` is `visibleTo`'s rule (operations/visibility.ts) and
 * `accountsExcluding` is `excludedAccountIds` turned around (queries/exclusions.ts); a rule added
 * there must be added to both forms, and tests/streaming-audiences.test.ts compares them. The rest
 * of the entity is the same hydration REST uses, read once. The cost of an event is two statements
 * whatever the number of sockets.
 */
import { sql } from 'drizzle-orm';
import { opaque, queryRows, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { isSnowflakeId } from '../ids.js';
import { belongsInList } from '../operations/home-feed-rules.js';
import { statusVisibilityFacts, visibleTo, visibleToGiven } from '../operations/visibility.js';
import { accountsBlockedBy, accountsExcluding } from './exclusions.js';
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

/**
 * Viewers with the same flags and filter matches share the same `status` and `statusIn` objects
 * (read-only): the streaming API renders each distinct object once per event.
 */
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

/** One question for `streamingAudiences`: who among `tokenIds` may read `statusId`, and how. */
export interface AudienceRequest {
  statusId: string;
  tokenIds: readonly string[];
  /** Whose followers' home timelines the status goes to (`followsAccount`). */
  followedAccountId: string;
  /** Read the status row even when deleted, to address a `delete` to those the `update` went to. */
  includeDeleted?: boolean;
}

/**
 * Who among `tokenIds` may read status `statusId` (its row is read even when deleted if
 * `includeDeleted`, to address a `delete` to the same people the `update` went to), whether each
 * follows `followedAccountId`, and the status as each of them sees it. Two statements.
 */
export async function streamingAudience(
  executor: Executor,
  input: AudienceRequest,
): Promise<StreamingAudience> {
  const [audience] = await streamingAudiences(executor, [input]);
  return audience!;
}

function arrayLiteral(values: readonly (string | number | boolean)[]): string {
  return `{${values.map((value) => (typeof value === 'boolean' ? (value ? 't' : 'f') : value)).join(',')}}`;
}

/**
 * `streamingAudience` for several events at once, in the same two statements: one row per
 * (request, token) pair and one anonymous row per request. A statement this size costs PostgreSQL
 * more to start (its fifty subplans) than to run for a hundred tokens, so the streaming API asks
 * about all the events waiting in its queue together rather than one statement per event.
 */
export async function streamingAudiences(
  executor: Executor,
  requests: readonly AudienceRequest[],
): Promise<StreamingAudience[]> {
  const asked = requests
    .map((request, index) => ({ ...request, index }))
    .filter(
      (request) => isSnowflakeId(request.statusId) && isSnowflakeId(request.followedAccountId),
    );
  const audiences: StreamingAudience[] = requests.map(() => ({ anonymous: null, viewers: [] }));
  if (asked.length === 0) return audiences;
  const pairs = asked.flatMap((request) =>
    request.tokenIds.filter(isSnowflakeId).map((tokenId) => ({ request, tokenId })),
  );
  // Each column of the (request, token) pairs and of the requests, as a PostgreSQL array literal.
  const pairColumn = (pick: (pair: (typeof pairs)[number]) => string | number | boolean) =>
    arrayLiteral(pairs.map(pick));
  const requestColumn = (pick: (request: (typeof asked)[number]) => string | number | boolean) =>
    arrayLiteral(asked.map(pick));
  const viewer = sql`v.account_id`;
  const statusId = sql`w.status_id`;
  // Per request, once: the status's side of every rule (its visibility facts, who has its author or
  // the boosted post's author among their excluded accounts, whom its author blocks) and whether
  // anyone has favourited, boosted, bookmarked or pinned it (or the boosted post). Per (request,
  // token) pair only the viewer's side is asked: hash lookups in those sets, a follows probe, and
  // the costly parts only when they can matter (filters when the viewer has any, flags when the
  // status has interactions at all, the boosted post's facts only for a boost). A new post's
  // hundred viewers cost a follows probe each rather than some sixteen index probes.
  const interacted = (s: string) => {
    const status = sql.raw(s);
    return sql`(exists(select 1 from favourites xf where xf.status_id = ${status}.id)
      or exists(select 1 from statuses xr where xr.reblog_of_id = ${status}.id and xr.deleted_at is null)
      or exists(select 1 from bookmarks xk where xk.status_id = ${status}.id)
      or exists(select 1 from status_pins xp where xp.status_id = ${status}.id))`;
  };
  // Null-safe for an app token (no account): it is in no one's sets.
  const blockedByAuthor = sql`coalesce((w.request, ${viewer}) in (select request, account_id from turned_away), false)`;
  // Flags only when the viewer has one: most viewers of a new post have none, and a null is
  // cheaper to send and parse than a JSON object of falses (a null reads as all false).
  const anyFlag = sql`where x.favourited or x.reblogged or x.bookmarked or x.pinned`;
  const rowsRead = queryRows<AudienceRow & { request: number }>(
    executor,
    sql`
    with asked as materialized (
      select r.request, r.status_id, r.followed_id,
        s.id is not null and (r.include_deleted or s.deleted_at is null) as readable,
        ${statusVisibilityFacts('s')},
        s.reblog_of_id, o.account_id as original_author_id,
        s.id is not null and ${interacted('s')} as interacted,
        o.id is not null and ${interacted('o')} as original_interacted
      from unnest(${opaque(
        requestColumn((r) => r.index),
        'int[]',
      )},
          ${opaque(
            requestColumn((r) => r.statusId),
            'bigint[]',
          )},
          ${opaque(
            requestColumn((r) => r.followedAccountId),
            'bigint[]',
          )},
          ${opaque(
            requestColumn((r) => r.includeDeleted === true),
            'boolean[]',
          )})
        as r(request, status_id, followed_id, include_deleted)
      left join statuses s on s.id = r.status_id
      left join statuses o on o.id = s.reblog_of_id
    ),
    -- Who has the author, or the boosted post's author, among their excluded accounts.
    shut_out as materialized (
      select w.request, x.account_id from asked w
      cross join lateral (values (w.author_id), (w.original_author_id)) a(id)
      cross join lateral ${accountsExcluding(sql`a.id`, { mutes: true })} x(account_id)
      where a.id is not null
    ),
    turned_away as materialized (
      select w.request, x.account_id from asked w
      cross join lateral ${accountsBlockedBy(sql`w.author_id`)} x(account_id)
    ),
    viewers as materialized (
      select p.request, t.id as token_id, t.account_id
      from unnest(${opaque(
        pairColumn((p) => p.request.index),
        'int[]',
      )},
          ${opaque(
            pairColumn((p) => p.tokenId),
            'bigint[]',
          )}) as p(request, token_id)
      join oauth_access_tokens t on t.id = p.token_id and t.revoked_at is null
    ),
    -- The viewers with any filter, in one set query rather than a probe per pair.
    filtering as materialized (
      select distinct fx.account_id from filters fx
      where fx.account_id in (select account_id from viewers)
    )
    select w.request, v.token_id::text as "tokenId", v.account_id::text as "viewerId",
      coalesce(w.readable and ${visibleToGiven('w', viewer, blockedByAuthor)}, false) as "mayRead",
      exists(select 1 from follows f where f.account_id = ${viewer}
        and f.target_account_id = w.followed_id) as "followsAccount",
      coalesce((w.request, ${viewer}) in (select request, account_id from shut_out), false)
        as "excluded",
      case when vf.has_filters then (select ${filterMatchesJson('fs', viewer, 'home')}
        from statuses fs where fs.id = ${statusId}) end as "filteredHome",
      case when vf.has_filters then (select ${filterMatchesJson('fs', viewer, 'public')}
        from statuses fs where fs.id = ${statusId}) end as "filteredPublic",
      case when vf.has_filters and w.reblog_of_id is not null then
        (select ${filterMatchesJson('fo', viewer, 'home')} from statuses fo
          where fo.id = w.reblog_of_id) end as "originalFilteredHome",
      case when vf.has_filters and w.reblog_of_id is not null then
        (select ${filterMatchesJson('fo', viewer, 'public')} from statuses fo
          where fo.id = w.reblog_of_id) end as "originalFilteredPublic",
      case when w.interacted then
        (select row_to_json(x) from (select ${viewerFlagColumns(sql`s`, viewer)}
          from statuses s where s.id = ${statusId}) x ${anyFlag}) end as "flags",
      case when w.reblog_of_id is not null and w.original_interacted then
        (select row_to_json(x) from (select ${viewerFlagColumns(sql`o`, viewer)}
          from statuses o where o.id = w.reblog_of_id) x ${anyFlag}) end as "originalFlags"
    from viewers v
    join asked w on w.request = v.request
    -- Computed once per pair (offset 0 keeps it from being inlined into the four columns using it).
    cross join lateral (select v.account_id in (select account_id from filtering) as has_filters
      offset 0) vf
    union all
    select w.request, null, null, exists(select 1 from statuses where statuses.id = ${statusId}
        and w.readable and ${visibleTo(null)}),
      false, false, null, null, null, null, null, null
    from asked w`,
    { prepared: true },
  );
  const hydrating = [
    ...new Set(asked.filter((r) => r.includeDeleted !== true).map((r) => r.statusId)),
  ];
  const [rows, hydrated] = await Promise.all([
    rowsRead,
    hydrating.length === 0 ? Promise.resolve([]) : hydrateStatuses(executor, hydrating, null),
  ]);
  const hydratedById = new Map(hydrated.map((status) => [status.id, status]));
  const rowsOf = new Map<number, (AudienceRow & { request: number })[]>();
  for (const row of rows) {
    const list = rowsOf.get(row.request);
    if (list) list.push(row);
    else rowsOf.set(row.request, [row]);
  }
  for (const request of asked) {
    const base =
      request.includeDeleted === true ? null : (hydratedById.get(request.statusId) ?? null);
    audiences[request.index] = audienceOf(base, rowsOf.get(request.index) ?? []);
  }
  return audiences;
}

/** The views of a status one viewer gets: as REST gives it, and in each timeline context. */
interface ViewsOfStatus {
  status: StatusView;
  statusIn: { home: StatusView; public: StatusView };
}

const flagBits = (flags: ViewerFlags | null): string =>
  flags === null
    ? '0000'
    : `${+(flags.favourited === true)}${+(flags.reblogged === true)}${+(flags.bookmarked === true)}${+(flags.pinned === true)}`;

/**
 * What of a row its views depend on. Rows with the same facts share one set of view objects: for
 * a new post every follower has the same (no flags, usually no filter match), so an event with a
 * thousand viewers builds a handful of objects rather than three copies of the status each, and
 * the API renders each distinct object once.
 */
function viewFacts(row: AudienceRow): string {
  const flags = flagBits(row.flags) + flagBits(row.originalFlags);
  const { filteredHome, filteredPublic, originalFilteredHome, originalFilteredPublic } = row;
  const unfiltered = [
    filteredHome,
    filteredPublic,
    originalFilteredHome,
    originalFilteredPublic,
  ].every((matches) => matches === null || matches.length === 0);
  return unfiltered
    ? flags
    : `${flags}${JSON.stringify([filteredHome, filteredPublic, originalFilteredHome, originalFilteredPublic])}`;
}

/** One request's rows as its audience: each viewer's view of `base` (the hydrated status). */
function audienceOf(base: StatusView | null, rows: AudienceRow[]): StreamingAudience {
  const asSeenBy = (row: AudienceRow): StatusView => {
    return {
      ...base!,
      ...cleanFlags(row.flags),
      reblog: base!.reblog === null ? null : { ...base!.reblog, ...cleanFlags(row.originalFlags) },
    };
  };
  const withMatches = (
    status: StatusView,
    own: StatusFilterMatch[] | null,
    original: StatusFilterMatch[] | null,
  ): StatusView => ({
    ...status,
    filtered: own ?? [],
    reblog: status.reblog === null ? null : { ...status.reblog, filtered: original ?? [] },
  });
  const viewsByFacts = new Map<string, ViewsOfStatus>();
  const viewsOf = (row: AudienceRow): ViewsOfStatus | null => {
    if (!row.mayRead || row.excluded || base === null) return null;
    const facts = viewFacts(row);
    let views = viewsByFacts.get(facts);
    if (views === undefined) {
      const status = asSeenBy(row);
      views = {
        status,
        statusIn: {
          home: withMatches(status, row.filteredHome, row.originalFilteredHome),
          public: withMatches(status, row.filteredPublic, row.originalFilteredPublic),
        },
      };
      viewsByFacts.set(facts, views);
    }
    return views;
  };
  const anonymousRow = rows.find((row) => row.tokenId === null);
  return {
    anonymous: anonymousRow ? (viewsOf(anonymousRow)?.status ?? null) : null,
    viewers: rows
      .filter((row): row is AudienceRow & { tokenId: string } => row.tokenId !== null)
      .map((row) => {
        const views = viewsOf(row);
        return {
          tokenId: row.tokenId,
          viewerId: row.viewerId,
          mayRead: row.mayRead,
          followsAccount: row.followsAccount,
          status: views?.status ?? null,
          // As the REST timelines: a `hide` match of the status or of the post it boosts.
          hiddenIn: {
            home: hides(row.filteredHome) || hides(row.originalFilteredHome),
            public: hides(row.filteredPublic) || hides(row.originalFilteredPublic),
          },
          statusIn: views?.statusIn ?? { home: null, public: null },
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
 * reaches. See `followersAmongMany`, which this asks with one author.
 */
export async function followersAmong(
  executor: Executor,
  accountId: string,
  viewers: ConnectedAccounts,
): Promise<Set<string>> {
  const found = await followersAmongMany(executor, [accountId], viewers);
  return found.get(accountId) ?? new Set();
}

/**
 * For each of `accountIds`, the accounts among `viewers` that follow it. One statement for all the
 * authors that walks the smaller side: each author's followers, read with a limit of one more than
 * the viewers (so at most that many rows each) and matched in memory; only for an author with more
 * followers than that, a second statement asks about the viewers. Most authors have fewer followers
 * than an API process has readers, so a batch of events usually costs one statement.
 */
export async function followersAmongMany(
  executor: Executor,
  accountIds: readonly string[],
  viewers: ConnectedAccounts,
): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  const authors = [...new Set(accountIds.filter(isSnowflakeId))];
  if (viewers.size === 0 || authors.length === 0) return found;
  const rows = await queryRows<{ author: string; id: string }>(
    executor,
    sql`select a.id::text as author, f.account_id::text as id
      from unnest(${bigintArray(authors)}::bigint[]) as a(id)
      cross join lateral (select account_id from follows
        where target_account_id = a.id limit ${viewers.size + 1}) f`,
    { prepared: true },
  );
  const followersOf = new Map<string, string[]>(authors.map((author) => [author, []]));
  for (const row of rows) followersOf.get(row.author)!.push(row.id);
  const popular: string[] = [];
  for (const [author, followers] of followersOf) {
    if (followers.length > viewers.size) popular.push(author);
    else found.set(author, new Set(followers.filter((id) => viewers.has(id))));
  }
  if (popular.length > 0) {
    const viewerRows = await queryRows<{ author: string; id: string }>(
      executor,
      sql`select f.target_account_id::text as author, f.account_id::text as id from follows f
        where f.target_account_id = any(${bigintArray(popular)}::bigint[])
          and f.account_id = any(${viewers.arrayLiteral()}::bigint[])`,
    );
    for (const author of popular) found.set(author, new Set());
    for (const row of viewerRows) found.get(row.author)!.add(row.id);
  }
  return found;
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
