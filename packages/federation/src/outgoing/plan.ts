/**
 * What Murmur sends about a local event: the activity (compacted JSON-LD, as it goes on the wire),
 * who signs it and the inboxes it goes to; null when the event concerns no other server (a remote
 * author, a boost of what cannot be named, a status gone since). Reads the current state, as every
 * consumer does: an edit sends the text as it is now. Local people's favourites and boosts of
 * remote statuses go to their authors; relationship events are `planRelationship`'s.
 */
import type { Federation } from '@fedify/fedify';
import type { Activity } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import {
  everyKnownInbox,
  federationInboxes,
  findOutgoingStatus,
  findRemotePollVote,
  findStatusObjectRef,
  type OutgoingStatus,
} from '@murmur/db/federation';
import { findAccountById } from '@murmur/db/accounts';
import type { DomainEvent, EventType } from '@murmur/events';
import { localActorUri, localStatusUri } from '../local-uris.js';
import { planRelationship, RELATIONSHIP_EVENT_TYPES } from '../relationships.js';
import {
  announceActivity,
  createActivity,
  deleteNoteActivity,
  deletePersonActivity,
  likeActivity,
  undoAnnounceActivity,
  undoLikeActivity,
  updateNoteActivity,
  updatePersonActivity,
  type BoostReference,
} from './activities.js';
import { withAttachmentExtras } from './note.js';
import { pollCountsLedgerKey } from './poll-counts.js';
import { statusObjectOf } from './question.js';
import { voteActivities } from './vote.js';

export interface OutgoingPlan {
  senderAccountId: string;
  senderUsername: string;
  /** Each goes to every inbox: one for most events, one per choice of a vote in a remote poll. */
  activities: Record<string, unknown>[];
  inboxes: string[];
  /**
   * The id the delivery ledger keeps these deliveries under when it is not the event's: several
   * events planned under one key are sent once (a busy poll's counts, `poll-counts.ts`).
   */
  ledgerKey?: string;
}

/** The local events that other servers hear of. */
export const FEDERATED_EVENT_TYPES = [
  'PostCreated',
  'StatusEdited',
  'StatusDeleted',
  'StatusReblogged',
  'ReblogUndone',
  'AccountUpdated',
  'AccountSuspended',
  'AccountUnsuspended',
  'AccountDeleted',
  'StatusFavourited',
  'StatusUnfavourited',
  'PollVoted',
  'PollEnded',
  ...RELATIONSHIP_EVENT_TYPES,
] as const satisfies readonly EventType[];

export type OutgoingPlanner = (event: DomainEvent) => Promise<OutgoingPlan | null>;

export function createOutgoingPlanner(options: {
  database: Database;
  federation: Federation<void>;
  publicOrigin: string;
}): OutgoingPlanner {
  const { database, federation, publicOrigin } = options;
  const read = database.primary;
  const context = () => federation.createContext(new Request(publicOrigin), undefined);

  async function plan(
    sender: { id: string; username: string },
    activity: Activity | readonly Activity[],
    inboxes: string[],
    /** The status whose Note the activity carries (its attachments' extras are added). */
    carried?: OutgoingStatus,
  ): Promise<OutgoingPlan | null> {
    if (inboxes.length === 0) return null;
    const { contextLoader } = context();
    const activities = await Promise.all(
      (Array.isArray(activity) ? activity : [activity]).map(async (one: Activity) => {
        const json = (await one.toJsonLd({ contextLoader })) as Record<string, unknown>;
        return carried ? withAttachmentExtras(publicOrigin, carried, json) : json;
      }),
    );
    return { senderAccountId: sender.id, senderUsername: sender.username, activities, inboxes };
  }

  /**
   * Create or Update of a live local status's Note. The inboxes are read first: on a server
   * nobody else follows, an event costs one index probe, not a Note built for no one.
   */
  async function noteActivity(
    event: { statusId: string; accountId: string; visibility?: string },
    editedAt: Date | null,
  ) {
    // A direct message reaches only the people it mentions, not the author of what it answers.
    const inboxesFor = (followers: boolean) =>
      federationInboxes(read, {
        accountId: event.accountId,
        followers,
        mentionsOf: event.statusId,
        parentAuthorOf: followers ? event.statusId : null,
      });
    const candidates = await inboxesFor(event.visibility !== 'direct');
    if (candidates.length === 0) return null;
    const outgoing = await findOutgoingStatus(read, event.statusId);
    if (!outgoing) return null;
    const { status } = outgoing;
    // An edit does not say the visibility: a direct message goes to the mentioned alone.
    const inboxes =
      status.visibility === 'direct' && event.visibility === undefined
        ? await inboxesFor(false)
        : candidates;
    const note = statusObjectOf(publicOrigin, outgoing);
    const activity = editedAt ? updateNoteActivity(note, editedAt) : createActivity(note);
    return plan(status.account, activity, inboxes, outgoing);
  }

  /**
   * The object id and author of a status a local person acts on: a local status by its URL, a
   * remote one by its own id (`statuses.uri`); and the author's account id when it is remote (its
   * server hears of the favourite or boost).
   */
  async function statusObject(statusId: string) {
    const found = await findStatusObjectRef(read, statusId);
    if (!found) return null;
    const { account } = found;
    if (account.domain === null) {
      return {
        objectUri: new URL(localStatusUri(publicOrigin, account.username, found.id)),
        authorUri: new URL(localActorUri(publicOrigin, account.username)),
        remoteAuthorId: null,
      };
    }
    if (!found.uri || !account.uri) return null;
    return {
      objectUri: new URL(found.uri),
      authorUri: new URL(account.uri),
      remoteAuthorId: account.id,
    };
  }

  /** A local account (`findAccountById` reads local ones only): remote people's acts are not ours. */
  const localAccount = (accountId: string) => findAccountById(read, accountId);

  /** A boost by a local account: to its followers, and to the original's author when remote. */
  async function boost(data: {
    statusId: string;
    accountId: string;
    reblogId: string;
    visibility?: BoostReference['visibility'];
  }) {
    const booster = await localAccount(data.accountId);
    if (!booster) return null;
    const object = await statusObject(data.statusId);
    if (!object) return null;
    const inboxes = await federationInboxes(read, {
      accountId: booster.id,
      followers: true,
      accountIds: object.remoteAuthorId ? [object.remoteAuthorId] : [],
    });
    if (inboxes.length === 0) return null;
    const reference: BoostReference = {
      username: booster.username,
      reblogId: data.reblogId,
      objectUri: object.objectUri,
      objectAuthorUri: object.authorUri,
      visibility: data.visibility ?? 'public',
    };
    return { booster, reference, inboxes };
  }

  /** A favourite by a local account of a remote status: to the status's author alone. */
  async function like(
    data: { statusId: string; accountId: string },
    eventId: string,
    undo: boolean,
  ) {
    // The status first: most favourites are of local statuses, which no other server hears of.
    const object = await statusObject(data.statusId);
    if (!object?.remoteAuthorId) return null;
    const liker = await localAccount(data.accountId);
    if (!liker) return null;
    const inboxes = await federationInboxes(read, {
      accountId: liker.id,
      followers: false,
      accountIds: [object.remoteAuthorId],
    });
    const reference = { username: liker.username, eventId, ...object };
    const activity = undo
      ? undoLikeActivity(publicOrigin, reference)
      : likeActivity(publicOrigin, reference);
    return plan(liker, activity, inboxes);
  }

  /**
   * A local poll's counts (or its end): an `Update` of its `Question` to the servers that have
   * it, those of the author's followers, of the people it mentions and of its remote voters.
   */
  async function pollCounts(
    data: { statusId: string; authorId: string; pollId: string },
    at: Date,
  ) {
    const inboxes = await federationInboxes(read, {
      accountId: data.authorId,
      followers: true,
      mentionsOf: data.statusId,
      parentAuthorOf: data.statusId,
      pollVotersOf: data.pollId,
    });
    if (inboxes.length === 0) return null;
    const outgoing = await findOutgoingStatus(read, data.statusId);
    const poll = outgoing?.status.poll;
    // A direct message's poll has no followers' servers to tell; hidden totals are sent at the end.
    if (!outgoing || !poll || outgoing.status.visibility === 'direct') return null;
    if (poll.hideTotals && poll.expiresAt.getTime() > Date.now()) return null;
    const question = statusObjectOf(publicOrigin, outgoing);
    return plan(outgoing.status.account, updateNoteActivity(question, at), inboxes, outgoing);
  }

  const relationshipPlanning = { read, publicOrigin, plan };

  return async (event) => {
    switch (event.type) {
      case 'StatusFavourited':
        return like(event.data, event.id, false);
      case 'StatusUnfavourited':
        return like(event.data, event.id, true);
      case 'PostCreated':
        return noteActivity(event.data, null);
      case 'StatusEdited':
        return noteActivity(event.data, new Date(event.data.editedAt));
      case 'StatusDeleted': {
        const author = await findAccountById(read, event.data.accountId);
        if (!author) return null;
        const followers = event.data.visibility !== 'direct';
        const inboxes = await federationInboxes(read, {
          accountId: author.id,
          followers,
          mentionsOf: event.data.statusId,
          parentAuthorOf: followers ? event.data.statusId : null,
        });
        const activity = deleteNoteActivity(
          publicOrigin,
          author.username,
          event.data.statusId,
          event.data.visibility,
        );
        return plan(author, activity, inboxes);
      }
      case 'StatusReblogged': {
        const found = await boost(event.data);
        return (
          found &&
          plan(found.booster, announceActivity(publicOrigin, found.reference), found.inboxes)
        );
      }
      case 'ReblogUndone': {
        const found = await boost(event.data);
        return (
          found &&
          plan(found.booster, undoAnnounceActivity(publicOrigin, found.reference), found.inboxes)
        );
      }
      // A suspended account is gone for other servers (Mastodon sends the same); when the
      // suspension is lifted, the actor's Update makes them fetch it again.
      case 'AccountUpdated':
      case 'AccountUnsuspended': {
        const account = await findAccountById(read, event.data.accountId);
        if (!account || account.suspendedAt) return null;
        const inboxes = await federationInboxes(read, { accountId: account.id, followers: true });
        if (inboxes.length === 0) return null;
        const person = await context().getActor(account.username);
        if (!person) return null;
        const at = new Date(event.occurredAt);
        return plan(account, updatePersonActivity(person as never, at), inboxes);
      }
      // A deleted account is suspended for good: the same Delete.
      case 'AccountSuspended':
      case 'AccountDeleted': {
        const account = await findAccountById(read, event.data.accountId);
        if (!account || !account.suspendedAt) return null;
        // Every server that knows of the account forgets it, not only its followers' (Mastodon's way).
        const inboxes = await everyKnownInbox(read);
        return plan(account, deletePersonActivity(publicOrigin, account.username), inboxes);
      }
      // A local vote in a remote poll goes to the poll's author, one note per choice as Mastodon
      // sends it; a vote in a local poll sends its counts, at most once per window.
      case 'PollVoted': {
        const { pollId, statusId, statusAccountId } = event.data;
        const vote = await findRemotePollVote(read, event.data);
        if (vote) {
          if (vote.choices.length === 0) return null;
          return plan(vote.voter, voteActivities(publicOrigin, vote, pollId), [vote.authorInbox]);
        }
        const at = new Date(event.occurredAt);
        const counts = await pollCounts({ statusId, authorId: statusAccountId, pollId }, at);
        return counts && { ...counts, ledgerKey: pollCountsLedgerKey(pollId, at) };
      }
      case 'PollEnded': {
        const { pollId, statusId, accountId } = event.data;
        return pollCounts({ statusId, authorId: accountId, pollId }, new Date(event.occurredAt));
      }
      default:
        return (RELATIONSHIP_EVENT_TYPES as readonly string[]).includes(event.type)
          ? planRelationship(relationshipPlanning, event)
          : null;
    }
  };
}
