/**
 * What a relationship event between a local and a remote account tells the remote account's
 * server, as the `federation-delivery` consumer sends it (on the delivery ledger, like posts):
 *
 * - FollowRequested by a local person of a remote account: `Follow` (following a remote account is
 *   a request until its server answers; the answer is `inbox/follow-answer.ts`).
 * - AccountUnfollowed, or FollowRequestClosed `withdrawn`, of a local person and a remote account:
 *   `Undo` of the `Follow`.
 * - AccountFollowed of a remote person and a local account (an unlocked account followed, or a
 *   locked one's owner authorizing the request): `Accept` of the `Follow`.
 * - RemoteFollowRepeated (a remote follower's server sent its `Follow` again): `Accept` of that
 *   `Follow`, by its id.
 * - FollowRequestClosed `rejected` of a remote person's request, or FollowerRemoved of a remote
 *   follower: `Reject` of the `Follow` (what Mastodon sends for both).
 * - AccountBlocked / AccountUnblocked of a remote account by a local person: `Block` / its `Undo`.
 *
 * The `Follow` in an `Undo`, `Accept` or `Reject` (and the `Block` in an `Undo`) is embedded with
 * its actor and object, which is how Mastodon finds what it answers. Events between two local
 * accounts, or two remote ones, send nothing. Each goes to the remote account's own inbox.
 */
import { Accept, Block, Follow, Reject, Undo, type Activity } from '@fedify/vocab';
import type { Executor } from '@murmur/db';
import { federatedAccounts, followActivityUriOf } from '@murmur/db/federation';
import type { DomainEvent } from '@murmur/events';
import { followActivityUri } from './inbox/follow-answer.js';
import { localActorUri } from './local-uris.js';
import { ledgerKeyOf } from './outgoing/ledger-key.js';
import type { OutgoingPlan } from './outgoing/plan.js';

/** The event types whose activities `planRelationship` builds. */
export const RELATIONSHIP_EVENT_TYPES = [
  'FollowRequested',
  'FollowRequestClosed',
  'AccountUnfollowed',
  'AccountFollowed',
  'RemoteFollowRepeated',
  'FollowerRemoved',
  'AccountBlocked',
  'AccountUnblocked',
] as const satisfies readonly DomainEvent['type'][];

export interface RelationshipPlanning {
  read: Executor;
  publicOrigin: string;
  plan(
    sender: { id: string; username: string },
    activity: Activity,
    inboxes: string[],
  ): Promise<OutgoingPlan | null>;
}

export async function planRelationship(
  planning: RelationshipPlanning,
  event: DomainEvent,
): Promise<OutgoingPlan | null> {
  /** From the local account `fromId` to the remote account `toId`'s inbox, if they are so. */
  async function send(
    fromId: string,
    toId: string,
    build: (localUri: URL, remoteUri: URL) => Activity | Promise<Activity>,
  ): Promise<OutgoingPlan | null> {
    const accounts = await federatedAccounts(planning.read, [fromId, toId]);
    const from = accounts.get(fromId);
    const to = accounts.get(toId);
    if (!from || !to || from.domain !== null || to.domain === null || !to.uri || !to.inboxUrl) {
      return null;
    }
    const localUri = new URL(localActorUri(planning.publicOrigin, from.username));
    return planning.plan(from, await build(localUri, new URL(to.uri)), [to.inboxUrl]);
  }

  switch (event.type) {
    case 'FollowRequested':
      return send(
        event.data.accountId,
        event.data.targetAccountId,
        (local, remote) =>
          new Follow({ id: followActivityUri(local, event.id), actor: local, object: remote }),
      );
    case 'AccountUnfollowed':
      return undoFollow(event.data);
    case 'FollowRequestClosed':
      if (event.data.outcome === 'withdrawn') return undoFollow(event.data);
      // Authorized: the AccountFollowed written with it sends the Accept.
      if (event.data.outcome === 'authorized') return null;
      return rejectFollower(event.data.targetAccountId, event.data.accountId);
    case 'AccountFollowed':
      // The Follow's id, kept on the follow: GoToSocial, for one, finds what is accepted by it.
      // Looked up only for a remote follower, once `send` knows it is one.
      return acceptFollower(
        event.data.targetAccountId,
        event.data.accountId,
        () => followActivityUriOf(planning.read, event.data),
        event.id,
      );
    case 'RemoteFollowRepeated': {
      // One Accept per Follow id, even if the inbox applies that Follow twice (at least once).
      const { targetAccountId, accountId, followUri } = event.data;
      const ledgerKey = ledgerKeyOf(`follow-repeated:${targetAccountId}:${followUri}`);
      const plan = await acceptFollower(
        targetAccountId,
        accountId,
        () => Promise.resolve(followUri),
        ledgerKey,
      );
      return plan && { ...plan, ledgerKey };
    }
    case 'FollowerRemoved':
      return rejectFollower(event.data.accountId, event.data.targetAccountId);
    case 'AccountBlocked':
      return send(
        event.data.accountId,
        event.data.targetAccountId,
        (local, remote) =>
          new Block({
            id: new URL(`${local.href}#blocks/${event.id}`),
            actor: local,
            object: remote,
          }),
      );
    case 'AccountUnblocked':
      return send(
        event.data.accountId,
        event.data.targetAccountId,
        (local, remote) =>
          new Undo({
            id: new URL(`${local.href}#blocks/undo/${event.id}`),
            actor: local,
            object: new Block({ actor: local, object: remote }),
          }),
      );
    default:
      return null;
  }

  function undoFollow(data: { accountId: string; targetAccountId: string }) {
    return send(
      data.accountId,
      data.targetAccountId,
      (local, remote) =>
        new Undo({
          id: new URL(`${local.href}#follows/undo/${event.id}`),
          actor: local,
          object: new Follow({ actor: local, object: remote }),
        }),
    );
  }

  /**
   * The local account `ownerId` accepts the remote `followerId`'s `Follow` (named by its id when
   * `followUri` knows it, which is how Mastodon finds the request it answers first; asked only
   * when the follower is remote); `answerId` makes the Accept's id.
   */
  function acceptFollower(
    ownerId: string,
    followerId: string,
    followUri: () => Promise<string | null>,
    answerId: string,
  ) {
    return send(ownerId, followerId, async (local, remote) => {
      const id = await followUri();
      return new Accept({
        id: new URL(`${local.href}#accepts/${answerId}`),
        actor: local,
        object: new Follow({ id: id ? new URL(id) : null, actor: remote, object: local }),
      });
    });
  }

  /** The local account `ownerId` refuses (or ends) the remote `followerId`'s follow. */
  function rejectFollower(ownerId: string, followerId: string) {
    return send(
      ownerId,
      followerId,
      (local, remote) =>
        new Reject({
          id: new URL(`${local.href}#follow-answers/${event.id}`),
          actor: local,
          object: new Follow({ actor: remote, object: local }),
        }),
    );
  }
}
