/**
 * The ActivityPub identifiers of local objects, in one place: what the actor and object dispatchers
 * serve, what outgoing activities name, and what incoming activities (a remote `Like` of one of our
 * statuses, say) are resolved against. Mastodon's scheme, so that people moving between servers
 * recognise the URLs: `/users/{username}` for the actor, `/users/{username}/statuses/{id}` for a
 * status's `id`. (Its page on the website, the `url`, is `statusUrl` of
 * `@murmur/service-kit/public-urls`, the one home of the public URL scheme.)
 */

/** Fedify path template of a local status's ActivityPub object. */
export const STATUS_PATH = '/users/{identifier}/statuses/{id}';

export function localActorUri(publicOrigin: string, username: string): string {
  return `${publicOrigin}/users/${encodeURIComponent(username)}`;
}

export function localStatusUri(publicOrigin: string, username: string, statusId: string): string {
  return `${localActorUri(publicOrigin, username)}/statuses/${encodeURIComponent(statusId)}`;
}

export interface LocalStatusReference {
  username: string;
  statusId: string;
}

/**
 * The local status an URI names, or null when it names anything else (another server's object, a
 * malformed id). Only the canonical `id` form is accepted: an activity names objects by their id.
 */
export function parseLocalStatusUri(
  publicOrigin: string,
  uri: string,
): LocalStatusReference | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.origin !== new URL(publicOrigin).origin || url.search !== '' || url.hash !== '')
    return null;
  const match = /^\/users\/([A-Za-z0-9_]{1,30})\/statuses\/([0-9]{1,19})$/.exec(url.pathname);
  if (!match) return null;
  return { username: match[1]!, statusId: match[2]! };
}
