/**
 * The activities the relationship events ask for, sent to the other server (the worker's
 * `federation-relationships` consumer runs this for each event):
 *
 * - FollowRequested by a local person of a remote account: `Follow` (following a remote account is
 *   a request until its server answers; the answer is `inbox/follow-answer.ts`).
 * - FollowRequestClosed `withdrawn`, or AccountUnfollowed, of a local person and a remote account:
 *   `Undo` of the `Follow`.
 * - FollowRequestClosed `authorized` / `rejected` of a remote person's request to a locked local
 *   account: `Accept` / `Reject` of the `Follow`.
 *
 * The `Follow` in an `Undo`, `Accept` or `Reject` is embedded with its actor and object, which is
 * how Mastodon finds the follow. Events between two local accounts, or two remote ones, send
 * nothing. A failed delivery throws, so the event is retried.
 */
import { Accept, Follow, Reject, Undo, type Activity } from '@fedify/vocab';
import type { DomainEvent } from '@murmur/events';
import { federatedAccounts } from '@murmur/db/federation';
import { createInboxContext, type InboxApplierOptions } from './inbox/context.js';
import { followActivityUri } from './inbox/follow-answer.js';

export type RelationshipSender = (event: DomainEvent) => Promise<void>;

/** The event types whose activities `createRelationshipSender` sends. */
export const RELATIONSHIP_EVENT_TYPES = [
  'FollowRequested',
  'FollowRequestClosed',
  'AccountUnfollowed',
] as const satisfies readonly DomainEvent['type'][];

export function createRelationshipSender(options: InboxApplierOptions): RelationshipSender {
  const ctx = createInboxContext(options);

  /** Sends from the local account `fromId` to the remote account `toId`'s inbox, if they are so. */
  async function send(
    fromId: string,
    toId: string,
    build: (localUri: URL, remoteUri: URL) => Activity,
  ): Promise<void> {
    const accounts = await federatedAccounts(ctx.database.primary, [fromId, toId]);
    const from = accounts.get(fromId);
    const to = accounts.get(toId);
    if (!from || !to || from.domain !== null || to.domain === null || !to.uri || !to.inboxUrl) {
      return;
    }
    const localUri = ctx.fedify().getActorUri(from.username);
    await ctx.deliver(from.username, build(localUri, new URL(to.uri)), new URL(to.inboxUrl));
  }

  return async (event) => {
    if (event.type === 'FollowRequested') {
      const { accountId, targetAccountId } = event.data;
      await send(
        accountId,
        targetAccountId,
        (local, remote) =>
          new Follow({ id: followActivityUri(local, event.id), actor: local, object: remote }),
      );
    } else if (
      event.type === 'AccountUnfollowed' ||
      (event.type === 'FollowRequestClosed' && event.data.outcome === 'withdrawn')
    ) {
      const { accountId, targetAccountId } = event.data;
      await send(
        accountId,
        targetAccountId,
        (local, remote) =>
          new Undo({
            id: new URL(`${local.href}#follows/undo/${event.id}`),
            actor: local,
            object: new Follow({ actor: local, object: remote }),
          }),
      );
    } else if (event.type === 'FollowRequestClosed') {
      // The locked local account (the target) answers the remote person's request.
      const { accountId: requesterId, targetAccountId: ownerId } = event.data;
      const Answer = event.data.outcome === 'authorized' ? Accept : Reject;
      await send(
        ownerId,
        requesterId,
        (local, remote) =>
          new Answer({
            id: new URL(`${local.href}#follow-answers/${event.id}`),
            actor: local,
            object: new Follow({ actor: remote, object: local }),
          }),
      );
    }
  };
}
