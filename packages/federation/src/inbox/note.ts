/**
 * A remote `Note` made into what Murmur stores (`receiveRemoteStatus`): its author resolved, its HTML
 * sanitized, its mentions, hashtags, content warning, language and visibility read as Mastodon reads
 * them, and its parent found, or fetched within limits when unknown. Everything in a note is a
 * claim of a hostile party until checked: the note must be on its author's server, sizes are capped,
 * and only accounts and statuses known here are linked.
 */
import {
  Article,
  Hashtag,
  isActor,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Question,
  type Link,
} from '@fedify/vocab';
import {
  accountIdsByUris,
  hasLocalFollowers,
  MAX_REMOTE_CONTENT,
  receiveRemoteStatus,
  type RemoteStatusInput,
} from '@murmur/db/federation';
import { normalizeHashtag } from '@murmur/text';
import { htmlToText } from '../html-text.js';
import { sanitizeRemoteHtml } from '../sanitize-html.js';
import { attachmentsOf } from './attachments.js';
import { pollOf } from './question.js';
import { REPLY_FETCH_LIMITS, type InboxContext } from './context.js';

/**
 * The objects stored as statuses: Mastodon shows `Note`s and, as notes, `Article`s; a `Question`
 * is a status with a poll.
 */
export type NoteLike = Note | Article | Question;

export function isNoteLike(object: unknown): object is NoteLike {
  return object instanceof Note || object instanceof Article || object instanceof Question;
}

/** What a reply's parent fetching may still spend (shared along one chain of parents). */
export interface FetchBudget {
  depth: number;
  deadline: number;
}

export function newFetchBudget(ctx: InboxContext): FetchBudget {
  const limits = ctx.replyFetchLimits ?? REPLY_FETCH_LIMITS;
  return { depth: limits.depth, deadline: Date.now() + limits.timeMs };
}

/**
 * The activity's object as received, when it is embedded and is the object `id` names (a fetched
 * object is another document: then nothing).
 */
export function embeddedObject(activity: Record<string, unknown>, id: URL | null): unknown {
  const object = activity.object as { id?: unknown } | null | undefined;
  return object && typeof object === 'object' && object.id === id?.href ? object : undefined;
}

function textOf(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The language of the content, when its server said (a LanguageString's locale). */
function languageOf(note: NoteLike): string | null {
  for (const content of [note.content, ...note.contents]) {
    const locale = (content as { locale?: Intl.Locale } | null)?.locale;
    if (locale?.language && /^[a-z]{2,3}$/.test(locale.language)) return locale.language;
  }
  return null;
}

function urlOf(value: URL | Link | null): string | null {
  if (!value) return null;
  const url = value instanceof URL ? value : value.href;
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : null;
}

/**
 * Mastodon's mapping: the public collection in `to` is public, in `cc` unlisted; the author's
 * followers collection is followers-only; otherwise only the people named may read it (direct).
 */
export function visibilityOf(
  to: readonly URL[],
  cc: readonly URL[],
  followers: URL | null,
): RemoteStatusInput['visibility'] {
  const has = (list: readonly URL[], url: URL | null) =>
    url !== null && list.some((item) => item.href === url.href);
  if (has(to, PUBLIC_COLLECTION)) return 'public';
  if (has(cc, PUBLIC_COLLECTION)) return 'unlisted';
  if (has(to, followers) || has(cc, followers)) return 'private';
  return 'direct';
}

/** What a note says, sanitized and capped; null when it is too large to keep. */
export function noteContent(note: NoteLike) {
  const rawContent = textOf(note.content);
  if (rawContent.length > MAX_REMOTE_CONTENT) return null;
  const contentHtml = sanitizeRemoteHtml(rawContent);
  const spoilerText = htmlToText(textOf(note.summary)).slice(0, 1_000);
  return {
    contentHtml,
    text: htmlToText(contentHtml),
    spoilerText,
    sensitive: note.sensitive ?? spoilerText.length > 0,
    language: languageOf(note),
  };
}

/** Hashtag names (`#Cats` → `cats`), valid and without duplicates. */
function hashtagOf(name: string): { name: string; displayName: string } | null {
  const displayName = name.replace(/^#/, '');
  if (!/^[\p{L}\p{N}_]{1,100}$/u.test(displayName)) return null;
  return { name: normalizeHashtag(displayName), displayName };
}

export interface StoreNoteOptions {
  /** The actor of the activity that carried the note, which must be its author. */
  expectedAuthor?: URL;
  /**
   * Store it only when it matters here: its author has local followers, or it mentions a local
   * person, or it answers a local status (a fetched parent needs none of these).
   */
  requireLocalInterest?: boolean;
  /**
   * The note's JSON as received (embedded in the activity), for what Fedify's vocabulary does not
   * model (Mastodon's `blurhash` and `focalPoint` of attachments).
   */
  raw?: unknown;
}

/**
 * Stores the note (or finds it, already stored); returns its status id, or null when it is not
 * acceptable: not on its author's server, not attributed to an actor, too large, of no interest.
 */
export async function storeNote(
  ctx: InboxContext,
  note: NoteLike,
  budget: FetchBudget,
  options: StoreNoteOptions = {},
): Promise<string | null> {
  const { expectedAuthor } = options;
  const noteId = note.id;
  const authorUri = note.attributionId;
  if (!noteId || !authorUri || noteId.origin !== authorUri.origin) return null;
  if (expectedAuthor && authorUri.href !== expectedAuthor.href) return null;
  const known = await ctx.knownStatus(noteId);
  if (known) return known.id;

  const content = noteContent(note);
  if (!content) return null;
  let author: unknown;
  try {
    author = await ctx.fedify().lookupObject(authorUri.href);
  } catch {
    return null;
  }
  if (!isActor(author) || author.id?.href !== authorUri.href) return null;
  const accountId = await ctx.resolver.storeActor(author);
  if (!accountId) return null;

  const mentionUris: URL[] = [];
  const hashtags = new Map<string, { name: string; displayName: string }>();
  let tagCount = 0;
  for await (const tag of note.getTags({ ...ctx.loaders(), suppressError: true })) {
    // Tags are embedded; a note with thousands of them gets the first hundred read.
    if (++tagCount > 200) break;
    if (tag instanceof Mention && tag.href) mentionUris.push(tag.href);
    else if (tag instanceof Hashtag) {
      const hashtag = hashtagOf(textOf(tag.name));
      if (hashtag && !hashtags.has(hashtag.name)) hashtags.set(hashtag.name, hashtag);
    }
  }
  const mentionedAccountIds: string[] = [];
  const remoteMentions: string[] = [];
  for (const uri of mentionUris.slice(0, 100)) {
    const local = await ctx.localActor(uri);
    if (local) mentionedAccountIds.push(local.id);
    else remoteMentions.push(uri.href);
  }
  const mentionsLocal = mentionedAccountIds.length > 0;
  const remote = await accountIdsByUris(ctx.database.primary, remoteMentions);
  mentionedAccountIds.push(...remote.map((account) => account.id));

  const parentUri = note.replyTargetId;
  const knownParent = await ctx.knownStatus(parentUri);
  if (
    options.requireLocalInterest &&
    !mentionsLocal &&
    !knownParent?.local &&
    !(await hasLocalFollowers(ctx.database.primary, accountId))
  ) {
    return null;
  }
  const inReplyToId =
    knownParent?.id ?? (parentUri ? await parentOf(ctx, parentUri, budget) : null);

  const published = note.published ? new Date(note.published.epochMilliseconds) : new Date();
  const attachments = await attachmentsOf(ctx, note, options.raw);
  const poll = note instanceof Question ? await pollOf(ctx, note) : null;
  const result = await receiveRemoteStatus(ctx.database, {
    ...content,
    accountId,
    uri: noteId.href,
    url: urlOf(note.url),
    visibility: visibilityOf(note.toIds, note.ccIds, author.followersId),
    inReplyToId,
    mentionedAccountIds,
    hashtags: [...hashtags.values()],
    publishedAt: Number.isNaN(published.getTime()) ? new Date() : published,
    attachments,
    poll,
  });
  return result.id;
}

/**
 * The parent of a reply: known here, or fetched from its server (and stored, with its own parents)
 * while the budget lasts. Null when it cannot be had; the reply is then stored without it.
 */
async function parentOf(ctx: InboxContext, uri: URL, budget: FetchBudget): Promise<string | null> {
  const known = await ctx.knownStatus(uri);
  if (known) return known.id;
  if (parseLocal(ctx, uri)) return null;
  if (budget.depth <= 0 || Date.now() >= budget.deadline) return null;
  budget.depth -= 1;
  let parent: unknown;
  try {
    // Fetched from its own URL: Fedify refuses a document whose id is on another origin.
    parent = await ctx.fedify().lookupObject(uri.href);
  } catch {
    return null;
  }
  if (!isNoteLike(parent) || parent.id?.href !== uri.href) return null;
  return storeNote(ctx, parent, budget);
}

/** True when the URI is on this server (a local status that does not exist is not fetched). */
function parseLocal(ctx: InboxContext, uri: URL): boolean {
  return uri.origin === new URL(ctx.publicOrigin).origin;
}
