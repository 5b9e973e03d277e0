/**
 * The activities Murmur sends about local content, with Mastodon's ids and addressing:
 * `Create`/`Update`/`Delete` of a status's `Note`, `Announce` of a boost and its `Undo`, `Update`
 * and `Delete` of a `Person`. Pure: each takes what was read and returns the activity.
 */
import {
  Announce,
  Create,
  Delete,
  Like,
  type Note,
  type Person,
  type Question,
  PUBLIC_COLLECTION,
  Tombstone,
  Undo,
  Update,
} from '@fedify/vocab';
import { localActorUri, localStatusUri } from '../local-uris.js';
import { audienceOf, followersUriOf, instant, type Audience } from './note.js';

type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** A status's object: its `Note`, or its `Question` when it has a poll. */
type StatusObject = Note | Question;

function addressed(note: StatusObject): Audience {
  return { to: [...note.toIds], cc: [...note.ccIds] };
}

export function createActivity(note: StatusObject): Create {
  const { to, cc } = addressed(note);
  return new Create({
    id: new URL(`${note.id!.href}/activity`),
    actor: note.attributionId,
    tos: to,
    ccs: cc,
    published: note.published,
    object: note,
  });
}

/** The edit at `editedAt`: a new id per edit, so each is applied once. */
export function updateNoteActivity(note: StatusObject, editedAt: Date): Update {
  const { to, cc } = addressed(note);
  return new Update({
    id: new URL(`${note.id!.href}#updates/${editedAt.getTime()}`),
    actor: note.attributionId,
    tos: to,
    ccs: cc,
    published: instant(editedAt) as never,
    object: note,
  });
}

export function deleteNoteActivity(
  publicOrigin: string,
  username: string,
  statusId: string,
  visibility: Visibility,
): Delete {
  const statusUri = new URL(localStatusUri(publicOrigin, username, statusId));
  const audience = audienceOf(publicOrigin, username, visibility, []);
  return new Delete({
    id: new URL(`${statusUri.href}#delete`),
    actor: new URL(localActorUri(publicOrigin, username)),
    tos: audience.to,
    ccs: audience.cc,
    object: new Tombstone({ id: statusUri }),
  });
}

export interface BoostReference {
  /** Who boosted, and the boost's own status id. */
  username: string;
  reblogId: string;
  /** The boosted status's object id and its author's actor id. */
  objectUri: URL;
  objectAuthorUri: URL;
  visibility: Visibility;
  createdAt?: Date;
}

/** A boost: `to` Public (or followers for unlisted), `cc` the original's author and followers. */
export function announceActivity(publicOrigin: string, boost: BoostReference): Announce {
  const actor = new URL(localActorUri(publicOrigin, boost.username));
  const followers = followersUriOf(publicOrigin, boost.username);
  const isPublic = boost.visibility === 'public';
  return new Announce({
    id: new URL(`${localStatusUri(publicOrigin, boost.username, boost.reblogId)}/activity`),
    actor,
    tos: isPublic ? [PUBLIC_COLLECTION] : [followers],
    ccs: isPublic ? [boost.objectAuthorUri, followers] : [boost.objectAuthorUri, PUBLIC_COLLECTION],
    published: boost.createdAt ? (instant(boost.createdAt) as never) : null,
    object: boost.objectUri,
  });
}

export function undoAnnounceActivity(publicOrigin: string, boost: BoostReference): Undo {
  const announce = announceActivity(publicOrigin, boost);
  return new Undo({
    id: new URL(`${announce.id!.href}#undo`),
    actor: announce.actorId,
    tos: [...announce.toIds],
    ccs: [...announce.ccIds],
    object: announce,
  });
}

/** A favourite of another server's status, by a local person: the event names it once. */
export interface LikeReference {
  username: string;
  eventId: string;
  objectUri: URL;
  authorUri: URL;
}

/** A `Like`, sent to the status's author alone (as Mastodon does). */
export function likeActivity(publicOrigin: string, like: LikeReference): Like {
  const actor = new URL(localActorUri(publicOrigin, like.username));
  return new Like({
    id: new URL(`${actor.href}#likes/${like.eventId}`),
    actor,
    object: like.objectUri,
    tos: [like.authorUri],
  });
}

/** The favourite taken back: the `Like` embedded with its actor and object, which names it. */
export function undoLikeActivity(publicOrigin: string, like: LikeReference): Undo {
  const actor = new URL(localActorUri(publicOrigin, like.username));
  return new Undo({
    id: new URL(`${actor.href}#likes/undo/${like.eventId}`),
    actor,
    tos: [like.authorUri],
    object: new Like({ actor, object: like.objectUri }),
  });
}

/** A profile change: the whole actor document, to everyone who follows it. */
export function updatePersonActivity(person: Person, at: Date): Update {
  return new Update({
    id: new URL(`${person.id!.href}#updates/${at.getTime()}`),
    actor: person.id,
    tos: [PUBLIC_COLLECTION],
    published: instant(at) as never,
    object: person,
  });
}

/** The account is gone (deleted or suspended): every server that knew it forgets it. */
export function deletePersonActivity(publicOrigin: string, username: string): Delete {
  const actor = new URL(localActorUri(publicOrigin, username));
  return new Delete({
    id: new URL(`${actor.href}#delete`),
    actor,
    tos: [PUBLIC_COLLECTION],
    object: actor,
  });
}
