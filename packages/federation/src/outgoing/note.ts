/**
 * A local status as the ActivityPub `Note` Mastodon expects: addressing from its visibility,
 * mentions as `Mention` tags, hashtags as `Hashtag` tags, the content warning as `summary` with
 * `sensitive`, `inReplyTo`, the content HTML the website renders (with absolute links), `url`,
 * `published` and, once edited, `updated`. Pure: the caller reads the status.
 */
import { Hashtag, Mention, Note, PUBLIC_COLLECTION } from '@fedify/vocab';
import type { FederatedActorRef, OutgoingStatus } from '@murmur/db/federation';
import { renderStatusHtml } from '@murmur/text';
import { Temporal } from '@js-temporal/polyfill';
import { localActorUri, localStatusUri, localStatusUrl } from '../local-uris.js';

export function instant(date: Date): Temporal.Instant {
  return Temporal.Instant.fromEpochMilliseconds(date.getTime());
}

/** The actor id of an account a status names: ours by username, a remote one by its stored uri. */
export function actorUriOf(publicOrigin: string, account: FederatedActorRef): URL | null {
  if (account.domain === null) return new URL(localActorUri(publicOrigin, account.username));
  return account.uri ? new URL(account.uri) : null;
}

export function followersUriOf(publicOrigin: string, username: string): URL {
  return new URL(`${localActorUri(publicOrigin, username)}/followers`);
}

/** Who an activity about a status is addressed to, as Mastodon maps visibility. */
export interface Audience {
  to: URL[];
  cc: URL[];
}

export function audienceOf(
  publicOrigin: string,
  username: string,
  visibility: OutgoingStatus['status']['visibility'],
  mentioned: readonly URL[],
): Audience {
  const followers = followersUriOf(publicOrigin, username);
  switch (visibility) {
    case 'public':
      return { to: [PUBLIC_COLLECTION], cc: [followers, ...mentioned] };
    case 'unlisted':
      return { to: [followers], cc: [PUBLIC_COLLECTION, ...mentioned] };
    case 'private':
      return { to: [followers], cc: [...mentioned] };
    case 'direct':
      return { to: [...mentioned], cc: [] };
  }
}

/** `@alice` for a local account, `@alice@host` for a remote one (Mastodon's `name` of a Mention). */
function mentionName(account: FederatedActorRef): string {
  return account.domain === null
    ? `@${account.username}`
    : `@${account.username}@${account.domain}`;
}

export function statusContentHtml(publicOrigin: string, outgoing: OutgoingStatus): string {
  const known = new Map(
    outgoing.mentions
      .filter((m) => m.domain === null)
      .map((m) => [m.username.toLowerCase(), m.username]),
  );
  return renderStatusHtml(outgoing.status.text, {
    profileUrl: (username) => {
      const found = known.get(username.toLowerCase());
      return found === undefined ? null : `${publicOrigin}/@${encodeURIComponent(found)}`;
    },
    tagUrl: (name) => `${publicOrigin}/tags/${encodeURIComponent(name)}`,
  });
}

/** The object id of the status a reply answers, or null when it cannot be named. */
function parentUri(publicOrigin: string, parent: OutgoingStatus['parent']): URL | null {
  if (!parent) return null;
  // A remote parent is named by its own id, which the incoming side stores (`statuses.uri`).
  if (parent.account.domain !== null) return null;
  return new URL(localStatusUri(publicOrigin, parent.account.username, parent.id));
}

export function noteOf(publicOrigin: string, outgoing: OutgoingStatus): Note {
  return new Note(noteValuesOf(publicOrigin, outgoing));
}

/** What a status's object says, shared by its `Note` and, with a poll, its `Question`. */
export type NoteValues = ConstructorParameters<typeof Note>[0];

export function noteValuesOf(publicOrigin: string, outgoing: OutgoingStatus): NoteValues {
  const { status } = outgoing;
  const username = status.account.username;
  const mentioned = outgoing.mentions
    .map((account) => ({ account, uri: actorUriOf(publicOrigin, account) }))
    .filter((m): m is { account: FederatedActorRef; uri: URL } => m.uri !== null);
  const audience = audienceOf(
    publicOrigin,
    username,
    status.visibility,
    mentioned.map((m) => m.uri),
  );
  const spoiler = status.spoilerText.trim();
  return {
    id: new URL(localStatusUri(publicOrigin, username, status.id)),
    attribution: new URL(localActorUri(publicOrigin, username)),
    tos: audience.to,
    ccs: audience.cc,
    content: statusContentHtml(publicOrigin, outgoing),
    summary: spoiler === '' ? null : spoiler,
    // Mastodon marks a status with a content warning sensitive whatever the flag says.
    sensitive: status.sensitive || spoiler !== '',
    replyTarget: parentUri(publicOrigin, outgoing.parent),
    url: new URL(localStatusUrl(publicOrigin, username, status.id)),
    published: instant(status.createdAt) as never,
    updated: status.editedAt ? (instant(status.editedAt) as never) : null,
    tags: [
      ...mentioned.map((m) => new Mention({ href: m.uri, name: mentionName(m.account) })),
      ...status.tags.map(
        (tag) =>
          new Hashtag({
            href: new URL(`${publicOrigin}/tags/${encodeURIComponent(tag.name)}`),
            name: `#${tag.displayName}`,
          }),
      ),
    ],
  };
}
