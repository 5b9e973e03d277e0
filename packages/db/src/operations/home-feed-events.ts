/**
 * What each event other than PostCreated does to the precomputed feeds (the home-feeds consumer's
 * table; PostCreated is group committed by `fanOutStatusesOnce`). Every effect is idempotent by
 * itself and safe when events arrive late or out of order: the consumer applies it, then records
 * the event's marker, so a redelivery after a crash repeats an effect that changes nothing.
 */
import type { DomainEvent } from '@murmur/events';
import type { Database } from '../client.js';
import {
  addAuthorToFeed,
  fanOutStatus,
  removeAuthorFromFeed,
  removeStatusesFromFeeds,
} from './home-feeds.js';

/** The event types the home-feeds consumer processes (`services/worker/src/consumers.ts`). */
export const HOME_FEED_EVENT_TYPES = [
  'PostCreated',
  'StatusReblogged',
  'ReblogUndone',
  'StatusDeleted',
  'AccountFollowed',
  'AccountUnfollowed',
  'FollowerRemoved',
] as const satisfies readonly DomainEvent['type'][];

export type HomeFeedEvent = Extract<DomainEvent, { type: (typeof HOME_FEED_EVENT_TYPES)[number] }>;

/**
 * Applies one event to the feeds; returns the number of entries added or removed. PostCreated goes
 * through the same chunked fan-out here (the consumer batches it instead; tests call this).
 */
export async function applyHomeFeedEvent(
  database: Database,
  event: HomeFeedEvent,
): Promise<number> {
  switch (event.type) {
    case 'PostCreated':
      return (await fanOutStatus(database, event.data.statusId)).inserted;
    case 'StatusReblogged':
      // A boost undone before its event arrived is deleted: the fan-out skips deleted statuses.
      return (await fanOutStatus(database, event.data.reblogId)).inserted;
    case 'ReblogUndone':
      return removeStatusesFromFeeds(database, [event.data.reblogId]);
    case 'StatusDeleted':
      return removeStatusesFromFeeds(database, [event.data.statusId, ...event.data.reblogIds]);
    case 'AccountFollowed':
      // Checks that the follow still exists: a follow undone before its event arrived adds nothing.
      return addAuthorToFeed(database, event.data.accountId, event.data.targetAccountId);
    case 'AccountUnfollowed':
      return removeAuthorFromFeed(database, event.data.accountId, event.data.targetAccountId, {
        unlessFollowing: true,
      });
    case 'FollowerRemoved':
      // `accountId` removed `targetAccountId` from their followers: the latter's feed loses them.
      return removeAuthorFromFeed(database, event.data.targetAccountId, event.data.accountId, {
        unlessFollowing: true,
      });
  }
}
