import {
  DEFAULT_MAX_CHARACTERS,
  countCharacters,
  normalizeHashtag,
  normalizeStatusText,
  tokenize,
} from '@murmur/text';
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { DomainError } from '../errors.js';
import {
  accounts,
  favourites,
  idempotencyKeys,
  mentions,
  notifications,
  statusTags,
  statuses,
  tags,
  type Visibility,
  VISIBILITIES,
} from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { findAccountsByUsernames } from './accounts.js';
import { enqueueEvents, postCreatedEvent, userMentionedEvent } from './outbox.js';
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

function validateText(input: CreateStatusInput, maxCharacters: number) {
  const text = normalizeStatusText(input.text ?? '');
  const spoilerText = normalizeStatusText(input.spoilerText ?? '');
  if (text.trim().length === 0) {
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
function hashtagsOf(text: string): { name: string; displayName: string }[] {
  const seen = new Map<string, string>();
  for (const token of tokenize(text)) {
    if (token.kind !== 'hashtag') continue;
    const name = normalizeHashtag(token.name);
    if (!seen.has(name)) seen.set(name, token.name);
  }
  return [...seen].map(([name, displayName]) => ({ name, displayName }));
}

/**
 * Creates a status: validates the text (500 characters by default, a URL counts as 23), resolves
 * mentions to existing accounts, links hashtags, updates the counters, and writes PostCreated plus one
 * UserMentioned per mentioned account (never the author) to the outbox, all in one transaction.
 */
export async function createStatus(
  database: Database,
  input: CreateStatusInput,
  options: CreateStatusOptions = {},
): Promise<StatusRow> {
  const { text, spoilerText, visibility } = validateText(
    input,
    options.maxCharacters ?? DEFAULT_MAX_CHARACTERS,
  );
  const idempotencyKey = input.idempotencyKey?.slice(0, 200) || null;

  return withTransaction(database, async (tx) => {
    if (idempotencyKey) {
      // Serialize concurrent requests carrying the same key.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`${input.accountId}:${idempotencyKey}`}, 0))`,
      );
      const existing = await findByIdempotencyKey(tx, input.accountId, idempotencyKey);
      if (existing) return existing;
    }

    let inReplyToAccountId: string | null = null;
    if (input.inReplyToId) {
      if (!isSnowflakeId(input.inReplyToId)) {
        throw new DomainError(
          'StatusNotFound',
          'The post you are replying to does not exist',
          'in_reply_to_id',
        );
      }
      const [parent] = await tx
        .select({ id: statuses.id, accountId: statuses.accountId })
        .from(statuses)
        .where(
          and(
            eq(statuses.id, input.inReplyToId),
            isNull(statuses.deletedAt),
            isNull(statuses.reblogOfId),
            visibleTo(input.accountId),
          ),
        )
        .limit(1);
      if (!parent) {
        throw new DomainError(
          'StatusNotFound',
          'The post you are replying to does not exist',
          'in_reply_to_id',
        );
      }
      inReplyToAccountId = parent.accountId;
      await tx
        .update(statuses)
        .set({ repliesCount: sql`${statuses.repliesCount} + 1` })
        .where(eq(statuses.id, parent.id));
    }

    const mentionedUsernames = tokenize(text)
      .filter((t) => t.kind === 'mention' && !('domain' in t && t.domain))
      .map((t) => (t as { username: string }).username);
    const mentioned = await findAccountsByUsernames(tx, mentionedUsernames);
    const hashtags = hashtagsOf(text);

    const [status] = await tx
      .insert(statuses)
      .values({
        accountId: input.accountId,
        text,
        spoilerText,
        sensitive: input.sensitive ?? spoilerText.length > 0,
        language: input.language ?? null,
        visibility,
        inReplyToId: input.inReplyToId ?? null,
        inReplyToAccountId,
        applicationId: input.applicationId ?? null,
      })
      .returning();
    const created = status!;

    if (mentioned.length > 0) {
      await tx
        .insert(mentions)
        .values(mentioned.map((a) => ({ statusId: created.id, accountId: a.id })));
    }
    if (hashtags.length > 0) {
      await tx.insert(tags).values(hashtags).onConflictDoNothing({ target: tags.name });
      const tagRows = await tx
        .select({ id: tags.id })
        .from(tags)
        .where(
          inArray(
            tags.name,
            hashtags.map((h) => h.name),
          ),
        );
      await tx
        .insert(statusTags)
        .values(tagRows.map((t) => ({ tagId: t.id, statusId: created.id })));
    }
    await tx
      .update(accounts)
      .set({
        statusesCount: sql`${accounts.statusesCount} + 1`,
        lastStatusAt: utcDay(created.createdAt),
      })
      .where(eq(accounts.id, input.accountId));
    if (idempotencyKey) {
      await tx
        .insert(idempotencyKeys)
        .values({ accountId: input.accountId, key: idempotencyKey, statusId: created.id })
        .onConflictDoUpdate({
          target: [idempotencyKeys.accountId, idempotencyKeys.key],
          set: { statusId: created.id, createdAt: sql`now()` },
        });
    }

    const requestId = input.requestId ?? null;
    const recipients = mentioned.filter((a) => a.id !== input.accountId);
    await enqueueEvents(tx, [
      postCreatedEvent(
        {
          statusId: created.id,
          accountId: input.accountId,
          visibility,
          inReplyToId: created.inReplyToId,
          mentionedAccountIds: recipients.map((a) => a.id),
          hashtags: hashtags.map((h) => h.name),
          createdAt: created.createdAt.toISOString(),
        },
        requestId,
      ),
      ...recipients.map((a) =>
        userMentionedEvent(
          { statusId: created.id, accountId: input.accountId, mentionedAccountId: a.id },
          requestId,
        ),
      ),
    ]);
    return created;
  });
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
