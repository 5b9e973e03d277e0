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
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import {
  accounts,
  favourites,
  idempotencyKeys,
  notifications,
  statuses,
  type Visibility,
  VISIBILITIES,
} from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import {
  ACCOUNT_JSON,
  hydrateStatuses,
  toAccountView,
  type AccountRowJson,
} from '../queries/hydrate.js';
import type { MediaView, StatusView } from '../queries/views.js';
import {
  attachedViews,
  attachMediaStatement,
  lockAttachableMedia,
  requestedMediaIds,
} from './media/attach-to-status.js';
import { outboxInsert, postCreatedEvent, userMentionedEvent } from './outbox.js';
import { visibleTo } from './visibility.js';
import { isSnowflakeId } from '../ids.js';

export type StatusRow = typeof statuses.$inferSelect;

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
  /** Mastodon's `Idempotency-Key` header: the same key within an hour returns the same status. */
  idempotencyKey?: string | null;
  /** The request that caused this, carried into the events for tracing. */
  requestId?: string | null;
}

export interface CreateStatusOptions {
  maxCharacters?: number;
}

const IDEMPOTENCY_WINDOW = sql`interval '1 hour'`;
const MAX_SPOILER_LENGTH = 500;

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function findByIdempotencyKey(
  tx: Executor,
  accountId: string,
  key: string,
): Promise<StatusRow | null> {
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

function validateText(input: CreateStatusInput, maxCharacters: number, hasMedia: boolean) {
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
function hashtagsOf(tokens: readonly Token[]): { name: string; displayName: string }[] {
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'hashtag') continue;
    const name = normalizeHashtag(token.name);
    if (!seen.has(name)) seen.set(name, token.name);
  }
  return [...seen].map(([name, displayName]) => ({ name, displayName }));
}

/** What the write needs to know first: the new id and time, and what the text refers to. */
interface StatusPreparation {
  id: string;
  createdAt: Date;
  author: AccountRowJson | null;
  mentioned: { id: string; username: string }[];
  parent: { id: string; accountId: string } | null;
  /** The hashtags of the text that already exist. */
  knownTags: { id: string; name: string; displayName: string }[];
  /** The posting application as statuses show it (none for the website). */
  application: { name: string; website: string | null } | null;
}

/**
 * One read: allocates the status id (a snowflake, so the events can carry it), and resolves the
 * author, the mentioned usernames, the parent (it must be visible to the author and not a reblog),
 * the hashtags that exist and the application.
 */
async function prepareStatus(
  executor: Executor,
  accountId: string,
  applicationId: string | null,
  inReplyToId: string | null,
  mentionedUsernames: string[],
  hashtagNames: string[],
): Promise<StatusPreparation> {
  const [row] = await queryRows<StatusPreparation>(
    executor,
    sql`
    with clock as (select clock_timestamp() as at)
    select snowflake_id_at(clock.at)::text as "id", clock.at as "createdAt",
      (select ${ACCOUNT_JSON} from accounts a where a.id = ${accountId}) as "author",
      coalesce((select json_agg(json_build_object('id', a.id::text, 'username', a.username))
        from accounts a where lower(a.username) = any(${sql.param(mentionedUsernames)}::text[])), '[]')
        as "mentioned",
      (select json_build_object('id', statuses.id::text, 'accountId', statuses.account_id::text)
        from statuses
        where statuses.id = ${inReplyToId} and statuses.deleted_at is null
          and statuses.reblog_of_id is null and ${visibleTo(accountId)}) as "parent",
      coalesce((select json_agg(json_build_object('id', t.id::text, 'name', t.name, 'displayName', t.display_name))
        from tags t where t.name = any(${sql.param(hashtagNames)}::text[])), '[]') as "knownTags",
      (select json_build_object('name', app.name, 'website', app.website)
        from oauth_applications app where app.id = ${applicationId} and not app.first_party)
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
  const mediaIds = requestedMediaIds(input.mediaIds);
  const { text, spoilerText, visibility } = validateText(
    input,
    options.maxCharacters ?? DEFAULT_MAX_CHARACTERS,
    mediaIds.length > 0,
  );
  const inReplyToId = input.inReplyToId ?? null;
  if (inReplyToId !== null && !isSnowflakeId(inReplyToId)) throw replyTargetMissing();
  const idempotencyKey = input.idempotencyKey?.slice(0, 200) || null;
  const write = (executor: Executor, media: MediaView[]) =>
    writeStatus(executor, input, {
      text,
      spoilerText,
      visibility,
      inReplyToId,
      idempotencyKey,
      media,
    });
  if (!idempotencyKey && mediaIds.length === 0) return write(database.primary, []);

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
    return write(tx, await lockAttachableMedia(tx, input.accountId, mediaIds));
  });
}

/** A new status: its row, and its view as the author sees it right after posting. */
export interface CreatedStatus extends StatusRow {
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
  },
): Promise<CreatedStatus> {
  const { text, spoilerText, visibility, inReplyToId, idempotencyKey, media } = valid;
  const tokens = tokenize(text);
  const mentionedUsernames = tokens
    .filter((t) => t.kind === 'mention' && !('domain' in t && t.domain))
    .map((t) => (t as { username: string }).username)
    .filter(isValidUsername)
    .map((u) => u.toLowerCase());
  const hashtags = hashtagsOf(tokens);
  const prepared = await prepareStatus(
    executor,
    input.accountId,
    input.applicationId ?? null,
    inReplyToId,
    mentionedUsernames,
    hashtags.map((h) => h.name),
  );
  if (inReplyToId !== null && prepared.parent === null) throw replyTargetMissing();

  const status: StatusRow = {
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
    deletedAt: null,
  };
  const known = new Set(prepared.knownTags.map((t) => t.name));
  // Sorted, so that two posts creating the same new tags lock them in the same order.
  const newTags = hashtags
    .filter((h) => !known.has(h.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const requestId = input.requestId ?? null;
  const recipients = prepared.mentioned.filter((a) => a.id !== input.accountId);
  const events = outboxInsert([
    postCreatedEvent(
      {
        statusId: status.id,
        accountId: status.accountId,
        visibility,
        inReplyToId,
        mentionedAccountIds: recipients.map((a) => a.id),
        hashtags: hashtags.map((h) => h.name),
        createdAt: status.createdAt.toISOString(),
      },
      requestId,
    ),
    ...recipients.map((a) =>
      userMentionedEvent(
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
    ), created_tags as (
      -- "do update" returns the row even when another post created the tag since our read.
      insert into tags (name, display_name)
      select * from unnest(${sql.param(newTags.map((t) => t.name))}::text[],
        ${sql.param(newTags.map((t) => t.displayName))}::text[])
      on conflict (name) do update set name = excluded.name
      returning id
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
    ), events as (${events})
    select 1`,
    { prepared: true },
  );
  return {
    ...status,
    view: {
      ...viewOfCreated(status, prepared, newTags),
      mediaAttachments: attachedViews(media, status.id),
    },
  };
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The new status as `hydrateStatuses` would show it to its author. */
function viewOfCreated(
  status: StatusRow,
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
    repliesCount: 0,
    reblogsCount: 0,
    favouritesCount: 0,
    mentions: [...prepared.mentioned].sort(byKey((m) => m.username)),
    tags: [
      ...prepared.knownTags.map(({ name, displayName }) => ({ name, displayName })),
      ...newTags,
    ].sort(byKey((t) => t.name)),
    application: prepared.application,
    mediaAttachments: [],
    reblog: null,
    favourited: false,
    reblogged: false,
    bookmarked: false,
    pinned: false,
  };
}

/** Loads a status the viewer may see (not deleted), or throws StatusNotFound. */
export async function getVisibleStatus(
  executor: Executor,
  statusId: string,
  viewerId: string | null,
): Promise<StatusRow> {
  if (!isSnowflakeId(statusId)) throw new DomainError('StatusNotFound', 'Record not found');
  const [row] = await executor
    .select()
    .from(statuses)
    .where(and(eq(statuses.id, statusId), isNull(statuses.deletedAt), visibleTo(viewerId)))
    .limit(1);
  if (!row) throw new DomainError('StatusNotFound', 'Record not found');
  return row;
}

/**
 * Deletes (softly) one's own status, and the reblogs of it; counters follow. Returns the deleted row,
 * whose text Mastodon clients use for "delete and redraft".
 */
export async function deleteStatus(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<StatusRow> {
  return withTransaction(database, async (tx) => {
    if (!isSnowflakeId(input.statusId)) throw new DomainError('StatusNotFound', 'Record not found');
    const [status] = await tx
      .select()
      .from(statuses)
      .where(and(eq(statuses.id, input.statusId), isNull(statuses.deletedAt)))
      .for('update')
      .limit(1);
    if (!status) throw new DomainError('StatusNotFound', 'Record not found');
    if (status.accountId !== input.accountId) {
      throw new DomainError('NotAllowed', 'This action is not allowed');
    }
    const now = new Date();
    await tx.update(statuses).set({ deletedAt: now }).where(eq(statuses.id, status.id));
    await tx
      .update(accounts)
      .set({ statusesCount: sql`greatest(${accounts.statusesCount} - 1, 0)` })
      .where(eq(accounts.id, status.accountId));
    if (status.inReplyToId) {
      await tx
        .update(statuses)
        .set({ repliesCount: sql`greatest(${statuses.repliesCount} - 1, 0)` })
        .where(eq(statuses.id, status.inReplyToId));
    }
    if (status.reblogOfId) {
      await tx
        .update(statuses)
        .set({ reblogsCount: sql`greatest(${statuses.reblogsCount} - 1, 0)` })
        .where(eq(statuses.id, status.reblogOfId));
      await tx
        .delete(notifications)
        .where(
          and(
            eq(notifications.type, 'reblog'),
            eq(notifications.statusId, status.reblogOfId),
            eq(notifications.fromAccountId, status.accountId),
          ),
        );
    } else {
      const reblogs = await tx
        .update(statuses)
        .set({ deletedAt: now })
        .where(and(eq(statuses.reblogOfId, status.id), isNull(statuses.deletedAt)))
        .returning({ accountId: statuses.accountId });
      for (const reblog of reblogs) {
        await tx
          .update(accounts)
          .set({ statusesCount: sql`greatest(${accounts.statusesCount} - 1, 0)` })
          .where(eq(accounts.id, reblog.accountId));
      }
      await tx.delete(notifications).where(eq(notifications.statusId, status.id));
    }
    return { ...status, deletedAt: now };
  });
}

/** Favourites a status the account can see; favouriting twice changes nothing. */
export async function favouriteStatus(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<StatusRow> {
  return withTransaction(database, async (tx) => {
    const status = await getVisibleStatus(tx, input.statusId, input.accountId);
    const target = status.reblogOfId
      ? await getVisibleStatus(tx, status.reblogOfId, input.accountId)
      : status;
    const inserted = await tx
      .insert(favourites)
      .values({ accountId: input.accountId, statusId: target.id })
      .onConflictDoNothing()
      .returning({ id: favourites.id });
    if (inserted.length === 0) return target;
    const [updated] = await tx
      .update(statuses)
      .set({ favouritesCount: sql`${statuses.favouritesCount} + 1` })
      .where(eq(statuses.id, target.id))
      .returning();
    if (target.accountId !== input.accountId) {
      await tx
        .insert(notifications)
        .values({
          accountId: target.accountId,
          fromAccountId: input.accountId,
          type: 'favourite',
          statusId: target.id,
        })
        .onConflictDoNothing();
    }
    return updated!;
  });
}

export async function unfavouriteStatus(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<StatusRow> {
  return withTransaction(database, async (tx) => {
    const status = await getVisibleStatus(tx, input.statusId, input.accountId);
    const target = status.reblogOfId
      ? await getVisibleStatus(tx, status.reblogOfId, input.accountId)
      : status;
    const removed = await tx
      .delete(favourites)
      .where(and(eq(favourites.accountId, input.accountId), eq(favourites.statusId, target.id)))
      .returning({ id: favourites.id });
    if (removed.length === 0) return target;
    const [updated] = await tx
      .update(statuses)
      .set({ favouritesCount: sql`greatest(${statuses.favouritesCount} - 1, 0)` })
      .where(eq(statuses.id, target.id))
      .returning();
    await tx
      .delete(notifications)
      .where(
        and(
          eq(notifications.type, 'favourite'),
          eq(notifications.statusId, target.id),
          eq(notifications.fromAccountId, input.accountId),
        ),
      );
    return updated!;
  });
}

/**
 * Reblogs (boosts) a public or unlisted status; returns the wrapper status. Reblogging twice returns
 * the existing wrapper.
 */
export async function reblogStatus(
  database: Database,
  input: { accountId: string; statusId: string; visibility?: Visibility },
): Promise<StatusRow> {
  return withTransaction(database, async (tx) => {
    const status = await getVisibleStatus(tx, input.statusId, input.accountId);
    const target = status.reblogOfId
      ? await getVisibleStatus(tx, status.reblogOfId, input.accountId)
      : status;
    if (target.visibility !== 'public' && target.visibility !== 'unlisted') {
      throw new DomainError('NotAllowed', 'This action is not allowed');
    }
    const [existing] = await tx
      .select()
      .from(statuses)
      .where(
        and(
          eq(statuses.accountId, input.accountId),
          eq(statuses.reblogOfId, target.id),
          isNull(statuses.deletedAt),
        ),
      )
      .limit(1);
    if (existing) return existing;
    const visibility =
      input.visibility === 'unlisted' || input.visibility === 'private'
        ? input.visibility
        : 'public';
    const [wrapper] = await tx
      .insert(statuses)
      .values({ accountId: input.accountId, text: '', visibility, reblogOfId: target.id })
      .onConflictDoNothing()
      .returning();
    if (!wrapper) {
      // A concurrent reblog by the same account won the race.
      const [raced] = await tx
        .select()
        .from(statuses)
        .where(
          and(
            eq(statuses.accountId, input.accountId),
            eq(statuses.reblogOfId, target.id),
            isNull(statuses.deletedAt),
          ),
        )
        .limit(1);
      return raced!;
    }
    await tx
      .update(statuses)
      .set({ reblogsCount: sql`${statuses.reblogsCount} + 1` })
      .where(eq(statuses.id, target.id));
    await tx
      .update(accounts)
      .set({ statusesCount: sql`${accounts.statusesCount} + 1` })
      .where(eq(accounts.id, input.accountId));
    if (target.accountId !== input.accountId) {
      await tx
        .insert(notifications)
        .values({
          accountId: target.accountId,
          fromAccountId: input.accountId,
          type: 'reblog',
          statusId: target.id,
        })
        .onConflictDoNothing();
    }
    return wrapper;
  });
}

/** Undoes a reblog; returns the original status. Unreblogging what was not reblogged changes nothing. */
export async function unreblogStatus(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<StatusRow> {
  const status = await getVisibleStatus(database.primary, input.statusId, input.accountId);
  const targetId = status.reblogOfId ?? status.id;
  const [wrapper] = await database.primary
    .select({ id: statuses.id })
    .from(statuses)
    .where(
      and(
        eq(statuses.accountId, input.accountId),
        eq(statuses.reblogOfId, targetId),
        isNull(statuses.deletedAt),
      ),
    )
    .limit(1);
  if (wrapper) await deleteStatus(database, { accountId: input.accountId, statusId: wrapper.id });
  return getVisibleStatus(database.primary, targetId, input.accountId);
}
