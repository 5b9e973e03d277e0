/**
 * A local status as the ActivityPub `Note` Mastodon expects: addressing from its visibility,
 * mentions as `Mention` tags, hashtags as `Hashtag` tags, the content warning as `summary` with
 * `sensitive`, `inReplyTo`, the content HTML the website renders (with absolute links), `url`,
 * `published` and, once edited, `updated`. Pure: the caller reads the status.
 */
import { Document, Hashtag, Mention, Note, PUBLIC_COLLECTION } from '@fedify/vocab';
import type { FederatedActorRef, OutgoingStatus } from '@murmur/db/federation';
import { servedContentType } from '@murmur/media/keys';
import { renderStatusHtml } from '@murmur/text';
import { Temporal } from '@js-temporal/polyfill';
import { profileUrl, statusUrl, tagUrl } from '@murmur/service-kit/public-urls';
import { localActorUri, localStatusUri } from '../local-uris.js';

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
  const remote = new Map(
    outgoing.mentions
      .filter((m) => m.domain !== null && m.url !== null)
      .map((m) => [`${m.username.toLowerCase()}@${m.domain!.toLowerCase()}`, m.url!]),
  );
  return renderStatusHtml(outgoing.status.text, {
    profileUrl: (username) => {
      const found = known.get(username.toLowerCase());
      return found === undefined ? null : profileUrl(publicOrigin, found);
    },
    remoteProfileUrl: (username, domain) => remote.get(`${username}@${domain}`) ?? null,
    tagUrl: (name) => tagUrl(publicOrigin, name),
  });
}

/** The object id of the status a reply answers, or null when it cannot be named. */
function parentUri(publicOrigin: string, parent: OutgoingStatus['parent']): URL | null {
  if (!parent) return null;
  // A remote parent is named by its own id, which the incoming side stores (`statuses.uri`).
  if (parent.account.domain !== null) return parent.uri ? new URL(parent.uri) : null;
  return new URL(localStatusUri(publicOrigin, parent.account.username, parent.id));
}

/**
 * Who a status addresses besides its audience: the mentioned, and the remote author of the status
 * it answers, as Mastodon addresses a reply even when the text does not name them (not for a
 * direct message, which reaches only the people it mentions).
 */
function addressedActors(
  publicOrigin: string,
  outgoing: OutgoingStatus,
  mentioned: readonly URL[],
): URL[] {
  const parentAuthor = outgoing.parent && actorUriOf(publicOrigin, outgoing.parent.account);
  if (
    !parentAuthor ||
    outgoing.parent!.account.domain === null ||
    outgoing.status.visibility === 'direct' ||
    mentioned.some((uri) => uri.href === parentAuthor.href)
  ) {
    return [...mentioned];
  }
  return [...mentioned, parentAuthor];
}

/** A processed attachment of the status, as its file is served; unprocessed ones are left out. */
interface ServedAttachment {
  url: URL;
  mediaType: string;
  media: OutgoingStatus['status']['mediaAttachments'][number];
}

function servedAttachments(publicOrigin: string, outgoing: OutgoingStatus): ServedAttachment[] {
  return outgoing.status.mediaAttachments.flatMap((media) => {
    const mediaType = media.originalKey ? servedContentType(media.originalKey) : null;
    if (media.processing !== 'processed' || !media.originalKey || !mediaType) return [];
    return [{ url: new URL(`${publicOrigin}/media/${media.originalKey}`), mediaType, media }];
  });
}

/** The attachments as Mastodon sends them: `Document`s with the alt text as `name`. */
function attachmentDocuments(attachments: readonly ServedAttachment[]): Document[] {
  return attachments.map(
    ({ url, mediaType, media }) =>
      new Document({
        url,
        mediaType,
        name: media.description?.trim() ? media.description : null,
        width: media.meta?.original.width ?? null,
        height: media.meta?.original.height ?? null,
      }),
  );
}

/** Mastodon's own terms (`toot:`) that Fedify's vocabulary does not know. */
const MASTODON_ATTACHMENT_CONTEXT = {
  toot: 'http://joinmastodon.org/ns#',
  blurhash: 'toot:blurhash',
  focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' },
};

/**
 * Adds what Mastodon sends beside each attachment and Fedify cannot express, `blurhash` and
 * `focalPoint`, to the compacted JSON-LD of an activity whose object is this status's Note (or to
 * the Note's own JSON-LD), with their terms in the context. Returns a new object.
 */
export function withAttachmentExtras(
  publicOrigin: string,
  outgoing: OutgoingStatus,
  json: Record<string, unknown>,
): Record<string, unknown> {
  const attachments = servedAttachments(publicOrigin, outgoing);
  if (attachments.length === 0) return json;
  const byUrl = new Map(attachments.map((a) => [a.url.href, a.media]));
  const extend = (entry: unknown): unknown => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const document = entry as Record<string, unknown>;
    const media = typeof document.url === 'string' ? byUrl.get(document.url) : undefined;
    if (!media) return entry;
    return {
      ...document,
      ...(media.blurhash ? { blurhash: media.blurhash } : {}),
      focalPoint: [media.focus.x, media.focus.y],
    };
  };
  const extendNote = (note: Record<string, unknown>) => ({
    ...note,
    attachment: Array.isArray(note.attachment)
      ? note.attachment.map(extend)
      : extend(note.attachment),
  });
  const isActivity = typeof json.object === 'object' && json.object !== null;
  const extended = isActivity
    ? { ...json, object: extendNote(json.object as Record<string, unknown>) }
    : extendNote(json);
  const context = json['@context'];
  return {
    ...extended,
    '@context': [...(Array.isArray(context) ? context : [context]), MASTODON_ATTACHMENT_CONTEXT],
  };
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
    addressedActors(
      publicOrigin,
      outgoing,
      mentioned.map((m) => m.uri),
    ),
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
    url: new URL(statusUrl(publicOrigin, username, status.id)),
    published: instant(status.createdAt) as never,
    updated: status.editedAt ? (instant(status.editedAt) as never) : null,
    attachments: attachmentDocuments(servedAttachments(publicOrigin, outgoing)),
    tags: [
      ...mentioned.map((m) => new Mention({ href: m.uri, name: mentionName(m.account) })),
      ...status.tags.map(
        (tag) =>
          new Hashtag({
            href: new URL(tagUrl(publicOrigin, tag.name)),
            name: `#${tag.displayName}`,
          }),
      ),
    ],
  };
}
