/**
 * How the website names and links an account, local or of another server. A remote account is
 * `@user@host` and its profile is the page on its own server (this website keeps no profile pages
 * for other servers' people, as Mastodon's server-rendered pages link them); a remote post has a
 * page here (`/@user@host/:id`), so that local people can read its thread, reply and favourite, and
 * that page links to the original.
 */
import { profilePath, statusPath as statusPathOf } from '@murmur/service-kit/public-urls';

interface NamedAccount {
  username: string;
  domain?: string | null;
  url?: string | null;
  uri?: string | null;
}

/** `alice` here, `mallory@remote.example` for another server's account (Mastodon's `acct`). */
export function acctOf(account: NamedAccount): string {
  return account.domain ? `${account.username}@${account.domain}` : account.username;
}

/** `@alice`, `@mallory@remote.example`: the handle shown beside a name. */
export const handleOf = (account: NamedAccount) => `@${acctOf(account)}`;

/** True when the link leaves this website (a remote account's profile). */
export const isExternalProfile = (account: NamedAccount) => Boolean(account.domain);

/** The profile: its page here, or a remote account's page on its server (its actor id without one). */
export function accountHref(account: NamedAccount): string {
  if (!account.domain) return profilePath(account.username);
  return account.url ?? account.uri ?? profilePath(acctOf(account));
}

/** The page of a post here, remote posts included (`/@mallory@remote.example/123`). */
export function statusHref(status: { id: string; account: NamedAccount }): string {
  const { account } = status;
  if (!account.domain) return statusPathOf(account.username, status.id);
  return `/@${encodeURIComponent(account.username)}@${encodeURIComponent(account.domain)}/${status.id}`;
}
