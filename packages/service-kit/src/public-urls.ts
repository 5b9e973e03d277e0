/**
 * The public URL scheme of people and statuses on the website, the same as Mastodon's so that
 * people recognise it: `/@{username}` for a profile, `/@{username}/{id}` for a status. Built here
 * only (the website's links, the API's `url` fields, the worker's e-mails, ActivityPub's `url` and
 * links in federated content), each part encoded. Pure functions, no Fastify: every service
 * imports `@murmur/service-kit/public-urls`. (ActivityPub ids, `/users/{username}`, are in packages/federation/src/local-uris.ts.)
 */
export function profilePath(username: string): string {
  return `/@${encodeURIComponent(username)}`;
}

export function statusPath(username: string, statusId: string): string {
  return `${profilePath(username)}/${encodeURIComponent(statusId)}`;
}

export function tagPath(tag: string): string {
  return `/tags/${encodeURIComponent(tag)}`;
}

/** `publicOrigin` without a trailing slash, e.g. `https://murmur.example`. */
export function profileUrl(publicOrigin: string, username: string): string {
  return `${publicOrigin}${profilePath(username)}`;
}

export function statusUrl(publicOrigin: string, username: string, statusId: string): string {
  return `${publicOrigin}${statusPath(username, statusId)}`;
}

export function tagUrl(publicOrigin: string, tag: string): string {
  return `${publicOrigin}${tagPath(tag)}`;
}
