import {
  DEFAULT_MAX_CHARACTERS,
  countCharacters,
  isFarBeyondLimit,
  isValidUsername,
  normalizeHashtag,
  normalizeStatusText,
  tokenize,
  type Token,
} from '@murmur/text';
import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import { opaque, queryRows, type Database, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { idempotencyKeys, statuses, type Visibility, VISIBILITIES } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import {
  ACCOUNT_JSON,
  hydrateStatuses,
  toAccountView,
  type AccountRowJson,
} from '../../queries/hydrate.js';
import type { MediaView, PollView, StatusView } from '../../queries/views.js';
import {
  attachedViews,
  attachMediaStatement,
  lockAttachableMedia,
  requestedMediaIds,
} from '../media/attach-to-status.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { validatePoll, type PollInput, type ValidPoll } from '../polls/rules.js';
import { visibleTo } from '../visibility.js';
import { isSnowflakeId } from '../../ids.js';
import type { StatusRecord } from './visible.js';

export interface CreateStatusInput {
  accountId: string;
  text: string;
  visibility?: Visibility;
  inReplyToId?: string | null;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  applicationId?: string | null;
  /** Attachments, in order: up to 4 of the poster's own processed, unattached uploads. */
  mediaIds?: readonly string[];
  /** A poll to post with it (not with attachments). */
  poll?: PollInput | null;
  /** Mastodon's `Idempotency-Key` header: the same key within an hour returns the same status. */
  idempotencyKey?: string | null;
  /** The request that caused this, carried into the events for tracing. */
  requestId?: string | null;
}

export interface CreateStatusOptions {
  maxCharacters?: number;
}

const IDEMPOTENCY_WINDOW = sql`interval '1 hour'`;
export const MAX_SPOILER_LENGTH = 500;

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function findByIdempotencyKey(
  tx: Executor,
  accountId: string,
  key: string,
): Promise<StatusRecord | null> {
  const [row] = await tx
    .select({ status: statuses })
    .from(idempotencyKeys)
    .innerJoin(statuses, eq(statuses.id, idempotencyKeys.statusId))
    .where(
      and(
        eq(idempotencyKeys.accountId, accountId),
        eq(idempotencyKeys.key, key),
        gt(idempotencyKeys.createdAt, sql`now() - ${IDEMPOTENCY_WINDOW}`),
      ),
    )
    .limit(1);
  return row?.status ?? null;
}

/** Length and emptiness of the text and content warning, and the visibility: posting and editing. */
export function validateText(
  input: Pick<CreateStatusInput, 'text' | 'spoilerText' | 'visibility'>,
  maxCharacters: number,
  hasMedia: boolean,
) {
  if (
    isFarBeyondLimit(input.text ?? '', maxCharacters) ||
    isFarBeyondLimit(input.spoilerText ?? '', MAX_SPOILER_LENGTH)
  ) {
    throw new DomainError(
      'TextTooLong',
      `Validation failed: Text character limit of ${maxCharacters} exceeded`,
      'status',
    );
  }
  const text = normalizeStatusText(input.text ?? '');
  const spoilerText = normalizeStatusText(input.spoilerText ?? '');
  // A post of photos alone needs no text.
  if (text.trim().length === 0 && !hasMedia) {
    throw new DomainError('TextEmpty', "Validation failed: Text can't be blank", 'status');
  }
  if ([...spoilerText].length > MAX_SPOILER_LENGTH) {
    throw new DomainError(
      'TextTooLong',
      `Validation failed: Content warning is too long (maximum is ${MAX_SPOILER_LENGTH} characters)`,
      'spoiler_text',
    );
  }
  if (countCharacters(text) + countCharacters(spoilerText) > maxCharacters) {
    throw new DomainError(
      'TextTooLong',
      `Validation failed: Text character limit of ${maxCharacters} exceeded`,
      'status',
    );
  }
  const visibility = input.visibility ?? 'public';
  if (!VISIBILITIES.includes(visibility)) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: Visibility is not valid',
      'visibility',
    );
  }
  return { text, spoilerText, visibility };
}

/** Hashtags as first written (display) and normalized (key), without duplicates. */
export function hashtagsOf(tokens: readonly Token[]): { name: string; displayName: string }[] {
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'hashtag') continue;
    const name = normalizeHashtag(token.name);
    if (!seen.has(name)) seen.set(name, token.name);
  }
  return [...seen].map(([name, displayName]) => ({ name, displayName }));
}

/**
 * The hashtags of a text that do not exist yet, sorted, so that two posts creating the same new
 * tags lock them in the same order.
 */
export function newTagsOf<T extends { name: string }>(
  hashtags: readonly T[],
  knownTags: readonly { name: string }[],
): T[] {
  const known = new Set(knownTags.map((t) => t.name));
  return hashtags.filter((h) => !known.has(h.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The writable CTE creating `newTags`, returning their ids (posting and editing). */
export function createTagsStatement(
  newTags: readonly { name: string; displayName: string }[],
): SQL {
  return sql`
      -- "do update" returns the row even when another post created the tag since our read.
      insert into tags (name, display_name)
      select * from unnest(${sql.param(newTags.map((t) => t.name))}::text[],
        ${sql.param(newTags.map((t) => t.displayName))}::text[])
      on conflict (name) do update set name = excluded.name
      returning id`;
}

/**
 * The accounts a text mentions, lower-cased, as the write resolves them: `usernames` of local
 * accounts, and `handles` (`user@domain`, each once) of remote ones stored here (the API resolves
 * unknown remote handles before the write; one still unknown stays text).
 */
export interface MentionHandles {
  usernames: string[];
  handles: string[];
}

export function mentionHandlesOf(tokens: readonly Token[]): MentionHandles {
  const usernames: string[] = [];
  const handles = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'mention' || !isValidUsername(token.username)) continue;
    const username = token.username.toLowerCase();
    if (token.domain) handles.add(`${username}@${token.domain.toLowerCase()}`);
    else usernames.push(username);
  }
  return { usernames, handles: [...handles] };
}

/**
 * The mentioned accounts, a relation with the columns of `accounts` (`from ${...} a`): local ones
 * by username, remote ones that are not suspended by `user@domain`, each through its unique index
 * (remote domains are stored lower-cased). The remote part is only in the text when the text has
 * remote mentions, so a post without any keeps one plan (see `opaque`).
 */
export function mentionedAccounts(mentions: MentionHandles): SQL {
  const local = sql`select * from accounts
    where domain is null and lower(username) = any(${opaque(mentions.usernames, 'text[]')})`;
  if (mentions.handles.length === 0) return sql`(${local})`;
  const split = mentions.handles.map((handle) => handle.split('@') as [string, string]);
  return sql`(${local}
    union all
    select a.* from unnest(${sql.param(split.map(([username]) => username))}::text[],
        ${sql.param(split.map(([, domain]) => domain))}::text[]) as h(username, domain)
      join accounts a on a.domain = h.domain and lower(a.username) = h.username
    where a.suspended_at is null)`;
}

/** What the write needs to know first: the new id and time, and what the text refers to. */
interface StatusPreparation {
  id: string;
  /** An id for the poll, if there is one (allocated in the same read). */
  pollId: string;
  createdAt: Date;
  author: AccountRowJson | null;
  mentioned: { id: string; username: string; domain: string | null; url: string | null }[];
  parent: { id: string; accountId: string } | null;
  /** The hashtags of the text that already exist. */
  knownTags: { id: string; name: string; displayName: string }[];
  /** The posting application as statuses show it (none for the website). */
  application: { name: string; website: string | null } | null;
}

/**
 * One read: allocates the status id (a snowflake, so the events can carry it), and resolves the
 * author, the mentioned usernames, the parent (it must be visible to the author and not a reblog),
 * the hashtags that exist and the application. Its values are `opaque` to the planner, so that it
 * runs on one cached plan: planned for each post's values it cost PostgreSQL more (0.5 ms) than
 * running it (0.1 ms).
 */
async function prepareStatus(
  executor: Executor,
  accountId: string,
  applicationId: string | null,
  inReplyToId: string | null,
  mentions: MentionHandles,
  hashtagNames: string[],
): Promise<StatusPreparation> {
  const [row] = await queryRows<StatusPreparation>(
    executor,
    sql`
    with clock as (select clock_timestamp() as at)
    select snowflake_id_at(clock.at)::text as "id", clock.at as "createdAt",
      snowflake_id_at(clock.at)::text as "pollId",
      (select ${ACCOUNT_JSON} from accounts a where a.id = ${accountId}) as "author",
      coalesce((select json_agg(json_build_object('id', a.id::text, 'username', a.username,
          'domain', a.domain, 'url', coalesce(a.url, a.uri)))
        from ${mentionedAccounts(mentions)} a), '[]')
        as "mentioned",
      (select json_build_object('id', statuses.id::text, 'accountId', statuses.account_id::text)
        from statuses
        where statuses.id = ${opaque(inReplyToId, 'bigint')} and statuses.deleted_at is null
          and statuses.reblog_of_id is null and ${visibleTo(accountId)}) as "parent",
      coalesce((select json_agg(json_build_object('id', t.id::text, 'name', t.name, 'displayName', t.display_name))
        from tags t where t.name = any(${opaque(hashtagNames, 'text[]')})), '[]') as "knownTags",
      (select json_build_object('name', app.name, 'website', app.website)
        from oauth_applications app where app.id = ${opaque(applicationId, 'bigint')}
          and not app.first_party)
        as "application"
    from clock`,
    { prepared: true },
  );
  return { ...row!, createdAt: new Date(row!.createdAt) };
}

/**
 * Creates a status: validates the text (500 characters by default, a URL counts as 23), resolves
 * mentions to existing accounts, links hashtags, updates the counters, and writes PostCreated plus one
 * UserMentioned per mentioned account (never the author) to the outbox. Two statements: a read
 * (`prepareStatus`) and one write of writable CTEs, which commits all of it or nothing. With an
 * Idempotency-Key, both run in a transaction that holds a lock on the key. Returns the row and the
 * status as its author sees it, built from what the two statements know (no read-back).
 */
export async function createStatus(
  database: Database,
  input: CreateStatusInput,
  options: CreateStatusOptions = {},
): Promise<CreatedStatus> {
  const valid = validateStatus(input, options);
  const { idempotencyKey, mediaIds } = valid;
  if (!idempotencyKey && mediaIds.length === 0) {
    return writeStatus(database.primary, input, { ...valid, media: [] });
  }

  return withTransaction(database, async (tx) => {
    if (idempotencyKey) {
      // Serialize concurrent requests carrying the same key.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`${input.accountId}:${idempotencyKey}`}, 0))`,
      );
      const existing = await findByIdempotencyKey(tx, input.accountId, idempotencyKey);
      if (existing) {
        const [view] = await hydrateStatuses(tx, [existing.id], input.accountId);
        return { ...existing, view: view! };
      }
    }
    return writeStatus(tx, input, {
      ...valid,
      media: await lockAttachableMedia(tx, input.accountId, mediaIds),
    });
  });
}

/**
 * Posts a status within the caller's transaction, with the same rules as `createStatus` (without
 * an Idempotency-Key): how the worker publishes a scheduled status in the transaction that removes
 * it, so it is posted exactly once. `reservedBy`: the scheduled status whose attachments it takes.
 */
export async function createStatusInTransaction(
  tx: Executor,
  input: CreateStatusInput,
  options: CreateStatusOptions & { reservedBy?: string } = {},
): Promise<CreatedStatus> {
  const valid = validateStatus({ ...input, idempotencyKey: null }, options);
  const media = await lockAttachableMedia(tx, input.accountId, valid.mediaIds, options.reservedBy);
  return writeStatus(tx, input, { ...valid, media });
}

/** Every check of a new status that needs no database: text, visibility, attachments' ids, poll. */
export function validateStatus(input: CreateStatusInput, options: CreateStatusOptions = {}) {
  const mediaIds = requestedMediaIds(input.mediaIds);
  const { text, spoilerText, visibility } = validateText(
    input,
    options.maxCharacters ?? DEFAULT_MAX_CHARACTERS,
    mediaIds.length > 0,
  );
  const poll = input.poll ? validatePoll(input.poll) : null;
  if (poll !== null && mediaIds.length > 0) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: A post cannot have both attachments and a poll',
      'poll',
    );
  }
  const inReplyToId = input.inReplyToId ?? null;
  if (inReplyToId !== null && !isSnowflakeId(inReplyToId)) throw replyTargetMissing();
  const idempotencyKey = input.idempotencyKey?.slice(0, 200) || null;
  return { text, spoilerText, visibility, inReplyToId, idempotencyKey, mediaIds, poll };
}

/** A new status: its row, and its view as the author sees it right after posting. */
export interface CreatedStatus extends StatusRecord {
  view: StatusView;
}

function replyTargetMissing(): DomainError {
  return new DomainError(
    'StatusNotFound',
    'The post you are replying to does not exist',
    'in_reply_to_id',
  );
}

async function writeStatus(
  executor: Executor,
  input: CreateStatusInput,
  valid: {
    text: string;
    spoilerText: string;
    visibility: Visibility;
    inReplyToId: string | null;
    idempotencyKey: string | null;
    media: MediaView[];
    poll: ValidPoll | null;
  },
): Promise<CreatedStatus> {
  const { text, spoilerText, visibility, inReplyToId, idempotencyKey, media, poll } = valid;
  const tokens = tokenize(text);
  const mentions = mentionHandlesOf(tokens);
  const hashtags = hashtagsOf(tokens);
  const prepared = await prepareStatus(
    executor,
    input.accountId,
    input.applicationId ?? null,
    inReplyToId,
    mentions,
    hashtags.map((h) => h.name),
  );
  if (inReplyToId !== null && prepared.parent === null) throw replyTargetMissing();

  const status: StatusRecord = {
    id: prepared.id,
    accountId: input.accountId,
    text,
    spoilerText,
    sensitive: input.sensitive ?? spoilerText.length > 0,
    language: input.language ?? null,
    visibility,
    inReplyToId,
    inReplyToAccountId: prepared.parent?.accountId ?? null,
    reblogOfId: null,
    applicationId: input.applicationId ?? null,
    repliesCount: 0,
    reblogsCount: 0,
    favouritesCount: 0,
    createdAt: prepared.createdAt,
    editedAt: null,
    deletedAt: null,
    uri: null,
    url: null,
    contentHtml: null,
  };
  const pollView: PollView | null =
    poll === null
      ? null
      : {
          id: prepared.pollId,
          options: poll.options,
          optionVotes: poll.options.map(() => 0),
          multiple: poll.multiple,
          hideTotals: poll.hideTotals,
          votesCount: 0,
          votersCount: 0,
          expiresAt: new Date(status.createdAt.getTime() + poll.expiresInSeconds * 1000),
          authorId: status.accountId,
          ownVotes: [],
        };
  const newTags = newTagsOf(hashtags, prepared.knownTags);
  const requestId = input.requestId ?? null;
  const recipients = prepared.mentioned.filter((a) => a.id !== input.accountId);
  // Remote people hear of it from their own server (the post is delivered there).
  const notified = recipients.filter((a) => a.domain === null);
  const events = outboxInsert([
    newEvent(
      'PostCreated',
      {
        statusId: status.id,
        accountId: status.accountId,
        visibility,
        inReplyToId,
        mentionedAccountIds: notified.map((a) => a.id),
        hashtags: hashtags.map((h) => h.name),
        createdAt: status.createdAt.toISOString(),
      },
      requestId,
    ),
    ...notified.map((a) =>
      newEvent(
        'UserMentioned',
        { statusId: status.id, accountId: status.accountId, mentionedAccountId: a.id },
        requestId,
      ),
    ),
  ]);

  await queryRows(
    executor,
    sql`
    with inserted as (
      insert into statuses (id, account_id, text, spoiler_text, sensitive, language, visibility,
        in_reply_to_id, in_reply_to_account_id, application_id, created_at)
      values (${status.id}, ${status.accountId}, ${status.text}, ${status.spoilerText},
        ${status.sensitive}, ${status.language}, ${status.visibility}, ${status.inReplyToId},
        ${status.inReplyToAccountId}, ${status.applicationId}, ${status.createdAt})
      returning id
    ), mentioned as (
      insert into mentions (status_id, account_id)
      select inserted.id, m.id from inserted, unnest(${sql.param(prepared.mentioned.map((a) => a.id))}::bigint[]) as m(id)
    ), created_tags as (${createTagsStatement(newTags)}
    ), tagged as (
      insert into status_tags (tag_id, status_id)
      select tag.id, inserted.id from inserted, (
        select id from created_tags
        union all select unnest(${sql.param(prepared.knownTags.map((t) => t.id))}::bigint[])) tag
    ), counted as (
      update accounts set statuses_count = statuses_count + 1, last_status_at = ${utcDay(status.createdAt)}
      where id = ${status.accountId}
    ), replied as (
      update statuses set replies_count = replies_count + 1 where id = ${inReplyToId}
    ), remembered as (
      insert into idempotency_keys (account_id, key, status_id)
      select ${status.accountId}, ${idempotencyKey}, inserted.id from inserted
      where ${idempotencyKey}::text is not null
      on conflict (account_id, key) do update set status_id = excluded.status_id, created_at = now()
    ), attached as (${attachMediaStatement(media)}
    ), polled as (
      -- Always present, inserting nothing without a poll, so the statement's text stays the same.
      insert into polls (id, status_id, account_id, options, option_votes, multiple, hide_totals,
        expires_at)
      select ${pollView?.id ?? null}::bigint, inserted.id, ${status.accountId},
        ${sql.param(poll?.options ?? null)}::text[],
        ${sql.param(pollView?.optionVotes ?? null)}::int[],
        ${poll?.multiple ?? false}::boolean, ${poll?.hideTotals ?? false}::boolean,
        ${pollView?.expiresAt ?? null}::timestamptz
      from inserted where ${pollView?.id ?? null}::bigint is not null
    ), events as (${events})
    select 1`,
    { prepared: true },
  );
  return {
    ...status,
    view: {
      ...viewOfCreated(status, prepared, newTags),
      mediaAttachments: attachedViews(media, status.id),
      poll: pollView,
    },
  };
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The new status as `hydrateStatuses` would show it to its author. */
function viewOfCreated(
  status: StatusRecord,
  prepared: StatusPreparation,
  newTags: { name: string; displayName: string }[],
): StatusView {
  if (!prepared.author) throw new DomainError('AccountNotFound', 'Record not found');
  const author = toAccountView(prepared.author);
  return {
    id: status.id,
    account: {
      ...author,
      statusesCount: author.statusesCount + 1,
      lastStatusAt: utcDay(status.createdAt),
    },
    text: status.text,
    spoilerText: status.spoilerText,
    sensitive: status.sensitive,
    language: status.language,
    visibility: status.visibility,
    inReplyToId: status.inReplyToId,
    inReplyToAccountId: status.inReplyToAccountId,
    createdAt: status.createdAt,
    editedAt: null,
    repliesCount: 0,
    reblogsCount: 0,
    favouritesCount: 0,
    mentions: [...prepared.mentioned].sort(byKey((m) => m.username)),
    tags: [
      ...prepared.knownTags.map(({ name, displayName }) => ({ name, displayName })),
      ...newTags,
    ].sort(byKey((t) => t.name)),
    uri: null,
    url: null,
    contentHtml: null,
    application: prepared.application,
    mediaAttachments: [],
    poll: null,
    reblog: null,
    favourited: false,
    reblogged: false,
    bookmarked: false,
    pinned: false,
    // A reply into a conversation its author muted would read true on the next read; not worth a
    // lookup on every post.
    muted: false,
  };
}
