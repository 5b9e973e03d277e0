import type { StatusView } from '@murmur/db';
import { normalizeUsername, renderStatusHtml } from '@murmur/text';
import type { Status } from '../schemas/entities.js';
import { serializeAccount } from './account.js';
import { profileUrl, statusUrl, tagUrl, timestamp, type EntityContext } from './context.js';

export interface StatusOptions {
  /** The source text, sent only when a status is deleted (for "delete and redraft"). */
  includeText?: boolean;
}

function content(view: StatusView, publicUrl: string): string {
  // Only mentions of accounts that exist (the StatusView's mentions) become links.
  const mentioned = new Map(view.mentions.map((m) => [normalizeUsername(m.username), m.username]));
  return renderStatusHtml(view.text, {
    profileUrl: (username) => {
      const known = mentioned.get(username);
      return known === undefined ? null : profileUrl(publicUrl, known);
    },
    tagUrl: (name) => tagUrl(publicUrl, name),
  });
}

function serializeOne(
  view: StatusView,
  context: EntityContext,
  options: StatusOptions,
): Omit<Status, 'reblog'> {
  const { publicUrl, viewerId } = context;
  const url = statusUrl(publicUrl, view.account.username, view.id);
  const isReblogWrapper = view.reblog !== null;
  const status: Omit<Status, 'reblog'> = {
    id: view.id,
    uri: url,
    url,
    created_at: timestamp(view.createdAt),
    edited_at: null,
    account: serializeAccount(view.account, publicUrl),
    content: isReblogWrapper ? '' : content(view, publicUrl),
    text: options.includeText ? view.text : null,
    visibility: view.visibility,
    sensitive: view.sensitive,
    spoiler_text: view.spoilerText,
    language: view.language,
    in_reply_to_id: view.inReplyToId,
    in_reply_to_account_id: view.inReplyToAccountId,
    media_attachments: [],
    mentions: view.mentions.map((m) => ({
      id: m.id,
      username: m.username,
      url: profileUrl(publicUrl, m.username),
      acct: m.username,
    })),
    tags: view.tags.map((t) => ({ name: t.name, url: tagUrl(publicUrl, t.name) })),
    emojis: [],
    replies_count: view.repliesCount,
    reblogs_count: view.reblogsCount,
    favourites_count: view.favouritesCount,
    quotes_count: 0,
    poll: null,
    card: null,
    application: view.application,
  };
  if (viewerId !== null) {
    status.favourited = view.favourited;
    status.reblogged = view.reblogged;
    status.muted = false;
    status.bookmarked = false;
    status.filtered = [];
    if (view.account.id === viewerId) status.pinned = false;
  }
  return status;
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
