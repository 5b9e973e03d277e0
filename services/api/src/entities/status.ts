import type { StatusView } from '@murmur/db/statuses';
import { localStatusUri } from '@murmur/federation';
import type { Status } from '../schemas/entities.js';
import { serializeAccount } from './account.js';
import { renderContent } from './content.js';
import { serializeMediaAttachment } from './media.js';
import { serializeFilterResult } from './filter.js';
import { serializePoll } from './poll.js';
import { profileUrl, statusUrl, tagUrl, timestamp, type EntityContext } from './context.js';

export interface StatusOptions {
  /** The source text, sent only when a status is deleted (for "delete and redraft"). */
  includeText?: boolean;
}

/** The fields that change after a status is posted: its counters. */
export type StatusCountFields = Pick<
  Status,
  'replies_count' | 'reblogs_count' | 'favourites_count'
>;

/** The fields that depend on who is looking (absent for anonymous and app-only requests). */
export type StatusViewerFields = Pick<
  Status,
  'favourited' | 'reblogged' | 'muted' | 'bookmarked' | 'filtered' | 'pinned'
>;

/**
 * Everything else, which changes only when the status is edited (and `edited_at` with it):
 * usernames do not change, and attachments and the posting application are fixed at creation;
 * text, content warning, sensitivity, language, mentions and tags change with an edit. So a cache
 * of these fields is keyed by id and `edited_at` (status-json.ts). Only the author (whose counters
 * move) and the counters are read fresh for every response.
 */
export type StatusFixedFields = Omit<
  Status,
  'account' | 'reblog' | 'poll' | keyof StatusCountFields | keyof StatusViewerFields
>;

/** The poll, with its counts, whether it ended and the viewer's votes: written for every response. */
export function statusPollField(view: StatusView, viewerId: string | null): Pick<Status, 'poll'> {
  return { poll: view.poll === null ? null : serializePoll(view.poll, viewerId) };
}

/**
 * A status's (or one revision's) text as HTML: `view` gives the mentions that become links. A remote
 * status comes with its HTML, sanitized when it arrived.
 */
export function content(
  view: Pick<StatusView, 'text' | 'mentions' | 'contentHtml'>,
  publicUrl: string,
): string {
  if (view.contentHtml) return view.contentHtml;
  // Only mentions of accounts that exist (the StatusView's mentions) become links.
  return renderContent(view.text, view.mentions, publicUrl);
}

export function statusFixedFields(
  view: StatusView,
  publicUrl: string,
  options: StatusOptions = {},
): StatusFixedFields {
  // A local status's `uri` is its ActivityPub id (what other servers name it by), its `url` its
  // page; a remote status keeps the id and page its server gave it.
  const isReblogWrapper = view.reblog !== null;
  return {
    id: view.id,
    uri: view.uri ?? localStatusUri(publicUrl, view.account.username, view.id),
    url: view.uri ? (view.url ?? view.uri) : statusUrl(publicUrl, view.account.username, view.id),
    created_at: timestamp(view.createdAt),
    edited_at: view.editedAt === null ? null : timestamp(view.editedAt),
    content: isReblogWrapper ? '' : content(view, publicUrl),
    text: options.includeText ? view.text : null,
    visibility: view.visibility,
    sensitive: view.sensitive,
    spoiler_text: view.spoilerText,
    language: view.language,
    in_reply_to_id: view.inReplyToId,
    in_reply_to_account_id: view.inReplyToAccountId,
    // Fixed too: attachments are set when the status is posted, and their descriptions can be
    // changed only until then (updateMedia refuses attached ones).
    media_attachments: view.mediaAttachments.map((m) => serializeMediaAttachment(m, publicUrl)),
    mentions: view.mentions.map((m) => ({
      id: m.id,
      username: m.username,
      url: m.domain ? (m.url ?? publicUrl) : profileUrl(publicUrl, m.username),
      acct: m.domain ? `${m.username}@${m.domain}` : m.username,
    })),
    tags: view.tags.map((t) => ({ name: t.name, url: tagUrl(publicUrl, t.name) })),
    emojis: [],
    quotes_count: 0,
    card: null,
    application: view.application,
  };
}

export function statusCountFields(view: StatusView): StatusCountFields {
  return {
    replies_count: view.repliesCount,
    reblogs_count: view.reblogsCount,
    favourites_count: view.favouritesCount,
  };
}

export function statusViewerFields(
  view: StatusView,
  viewerId: string | null,
): StatusViewerFields | null {
  if (viewerId === null) return null;
  const fields: StatusViewerFields = {
    favourited: view.favourited,
    reblogged: view.reblogged,
    muted: view.muted ?? false,
    bookmarked: view.bookmarked,
    // Per viewer and per read, so never part of the cached JSON (status-json.ts).
    filtered: (view.filtered ?? []).map(serializeFilterResult),
  };
  // Mastodon sends `pinned` only on statuses the viewer could pin: its own.
  if (view.account.id === viewerId) fields.pinned = view.pinned;
  return fields;
}

function serializeOne(
  view: StatusView,
  context: EntityContext,
  options: StatusOptions,
): Omit<Status, 'reblog'> {
  return {
    ...statusFixedFields(view, context.publicUrl, options),
    account: serializeAccount(view.account, context.publicUrl),
    ...statusCountFields(view),
    ...statusPollField(view, context.viewerId),
    ...statusViewerFields(view, context.viewerId),
  };
}

/** A StatusView as Mastodon's Status entity; a reblog carries the original in `reblog`. */
export function serializeStatus(
  view: StatusView,
  context: EntityContext,
  options: StatusOptions = {},
): Status {
  return {
    ...serializeOne(view, context, options),
    reblog: view.reblog ? { ...serializeOne(view.reblog, context, {}), reblog: null } : null,
  };
}
