/**
 * What Murmur sends about a local event: the activity (compacted JSON-LD, as it goes on the wire),
 * who signs it and the inboxes it goes to; null when the event concerns no other server (a remote
 * author, a boost of what cannot be named, a status gone since). Reads the current state, as every
 * consumer does: an edit sends the text as it is now.
 */
import type { Federation } from '@fedify/fedify';
import type { Activity } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import { federationInboxes, findOutgoingStatus, findRemotePollVote } from '@murmur/db/federation';
import { findAccountById } from '@murmur/db/accounts';
import type { DomainEvent, EventType } from '@murmur/events';
import { localActorUri, localStatusUri } from '../local-uris.js';
import {
  announceActivity,
  createActivity,
  deleteNoteActivity,
  deletePersonActivity,
  undoAnnounceActivity,
  updateNoteActivity,
  updatePersonActivity,
  type BoostReference,
} from './activities.js';
import { statusObjectOf } from './question.js';
import { voteActivity } from './vote.js';

export interface OutgoingPlan {
  senderAccountId: string;
  senderUsername: string;
  activity: Record<string, unknown>;
  inboxes: string[];
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
  'PollVoted',
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
    activity: Activity,
    inboxes: string[],
  ): Promise<OutgoingPlan | null> {
    if (inboxes.length === 0) return null;
    const json = (await activity.toJsonLd({ contextLoader: context().contextLoader })) as Record<
      string,
      unknown
    >;
    return { senderAccountId: sender.id, senderUsername: sender.username, activity: json, inboxes };
  }

  /**
   * Create or Update of a live local status's Note. The inboxes are read first: on a server
   * nobody else follows, an event costs one index probe, not a Note built for no one.
   */
  async function noteActivity(
    event: { statusId: string; accountId: string; visibility?: string },
    editedAt: Date | null,
  ) {
    const inboxesFor = (followers: boolean) =>
      federationInboxes(read, {
        accountId: event.accountId,
        followers,
        mentionsOf: event.statusId,
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
    return plan(status.account, activity, inboxes);
  }

  /** A boost of a local status by a local account (a remote original is named by fed-in's uri). */
  async function boost(data: {
    statusId: string;
    statusAccountId: string;
    accountId: string;
    reblogId: string;
    visibility?: BoostReference['visibility'];
  }) {
    const inboxes = await federationInboxes(read, { accountId: data.accountId, followers: true });
    if (inboxes.length === 0) return null;
    const [booster, author] = await Promise.all([
      findAccountById(read, data.accountId),
      findAccountById(read, data.statusAccountId),
    ]);
    if (!booster || !author) return null;
    const reference: BoostReference = {
      username: booster.username,
      reblogId: data.reblogId,
      objectUri: new URL(localStatusUri(publicOrigin, author.username, data.statusId)),
      objectAuthorUri: new URL(localActorUri(publicOrigin, author.username)),
      visibility: data.visibility ?? 'public',
    };
    return { booster, reference, inboxes };
  }

  return async (event) => {
    switch (event.type) {
      case 'PostCreated':
        return noteActivity(event.data, null);
      case 'StatusEdited':
        return noteActivity(event.data, new Date(event.data.editedAt));
      case 'StatusDeleted': {
        const author = await findAccountById(read, event.data.accountId);
        if (!author) return null;
        const inboxes = await federationInboxes(read, {
          accountId: author.id,
          followers: event.data.visibility !== 'direct',
          mentionsOf: event.data.statusId,
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
      case 'AccountSuspended': {
        const account = await findAccountById(read, event.data.accountId);
        if (!account || !account.suspendedAt) return null;
        const inboxes = await federationInboxes(read, { accountId: account.id, followers: true });
        return plan(account, deletePersonActivity(publicOrigin, account.username), inboxes);
      }
      // A local vote in a remote poll goes to the poll's author (a local poll's votes stay here).
      case 'PollVoted': {
        const vote = await findRemotePollVote(read, event.data);
        if (!vote || vote.choices.length !== 1) return null;
        return plan(vote.voter, voteActivity(publicOrigin, vote, event.data.pollId), [
          vote.authorInbox,
        ]);
      }
      default:
        return null;
    }
  };
}
