import { ROLES, type AccountRole } from '@murmur/db/moderation';
import { type AccountView } from '@murmur/db/accounts';
import { renderPlainTextHtml } from '@murmur/text';
import type { Account, CredentialAccount } from '../schemas/entities.js';
import { mediaUrl, MISSING_AVATAR_PATH, MISSING_HEADER_PATH, profileUrl } from './context.js';

/** Mastodon reports an account's creation as midnight UTC of that day. */
function createdDay(date: Date): string {
  return `${date.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

export function serializeAccount(view: AccountView, publicUrl: string): Account {
  // A remote account is `username@domain`, with its own server's page and images.
  const remote = view.domain ? view : null;
  const url = remote
    ? (remote.url ?? remote.uri ?? publicUrl)
    : profileUrl(publicUrl, view.username);
  const avatar = view.avatarKey
    ? mediaUrl(publicUrl, view.avatarKey)
    : (remote?.remoteAvatarUrl ?? `${publicUrl}${MISSING_AVATAR_PATH}`);
  const header = view.headerKey
    ? mediaUrl(publicUrl, view.headerKey)
    : (remote?.remoteHeaderUrl ?? `${publicUrl}${MISSING_HEADER_PATH}`);
  return {
    id: view.id,
    username: view.username,
    acct: remote ? `${view.username}@${remote.domain}` : view.username,
    url,
    uri: remote?.uri ?? url,
    display_name: view.displayName,
    note: renderPlainTextHtml(view.note),
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: view.locked,
    bot: false,
    group: false,
    discoverable: true,
    indexable: true,
    hide_collections: false,
    noindex: false,
    fields: [],
    emojis: [],
    roles: [],
    created_at: createdDay(view.createdAt),
    last_status_at: view.lastStatusAt,
    statuses_count: view.statusesCount,
    followers_count: view.followersCount,
    following_count: view.followingCount,
  };
}

/** Mastodon's Role entity for one of the four roles. */
export function serializeRole(role: AccountRole): CredentialAccount['role'] {
  const { id, name, color, permissions, highlighted } = ROLES[role];
  return { id, name, color, permissions: String(permissions), highlighted };
}

/** The signed-in account, with the `source` a profile editor needs and its role. */
export function serializeCredentialAccount(
  view: AccountView & { role?: AccountRole },
  publicUrl: string,
  owner: { followRequestsCount?: number } = {},
): CredentialAccount {
  return {
    ...serializeAccount(view, publicUrl),
    source: {
      note: view.note,
      fields: [],
      privacy: 'public',
      sensitive: false,
      language: null,
      follow_requests_count: owner.followRequestsCount ?? 0,
      hide_collections: false,
      discoverable: true,
      indexable: true,
      attribution_domains: [],
      quote_policy: 'public',
    },
    role: serializeRole(view.role ?? 'user'),
  };
}
