/**
 * The home-feeds consumer: pushes each new status into its author's followers' home feeds (fan-out
 * on write, `@murmur/db` `fanOutStatusesOnce` / `fanOutStatus`), and the hashtag followers'; applies
 * boosts, undone boosts, deletions, follows and unfollows to the feeds (`applyHomeFeedEvent`); and
 * the sweep that keeps every feed to its bounded length. The reader's own posts are not fanned out
 * to them: the home read merges the reader's own statuses, so they show at once.
 */
import { type Database } from '@murmur/db';
import {
  applyHomeFeedEvent,
  fanOutStatus,
  fanOutStatusesOnce,
  trimHomeFeeds,
  trimListFeeds,
  HOME_FEED_EVENT_TYPES,
  type FanOutEvent,
  type HomeFeedEvent,
  type FanOutOutcome,
} from '@murmur/db/feeds';
import { markEventProcessed } from '@murmur/db/events';
import type { Logger } from '@murmur/service-kit';
import { Batcher, type BatcherOptions } from './batcher.js';
import type { EventHandler } from './handlers.js';

/** The durable consumer that fans posts out into home feeds (declared in `consumers.ts`). */
export const HOME_FEEDS_CONSUMER = 'home-feeds';

/**
 * Statuses of ordinary authors handled at the same time share one statement (group commit: their
 * markers and every follower's entry commit together). A heavy author's status (more than
 * `HEAVY_AUTHOR_FOLLOWERS`) is fanned out alone, in chunks committed one by one, then marked: the
 * batches of everyone else go on between its chunks, and a redelivery after a crash mid-way
 * repeats the chunks harmlessly (entries are inserted with ON CONFLICT DO NOTHING).
 */
export function homeFeedsHandler(database: Database, options: BatcherOptions): EventHandler {
  const batcher = new Batcher(async (events: FanOutEvent[]) => {
    const outcomes = await fanOutStatusesOnce(database, HOME_FEEDS_CONSUMER, events);
    return events.map((e): FanOutOutcome => outcomes.get(e.eventId) ?? 'duplicate');
  }, options);
  return async (event, log) => {
    if (event.type !== 'PostCreated') {
      // Effects idempotent by themselves (see `applyHomeFeedEvent`), then the marker: a crash in
      // between repeats an effect that changes nothing.
      if (isHomeFeedEvent(event)) await applyHomeFeedEvent(database, event);
      await markEventProcessed(database, HOME_FEEDS_CONSUMER, event.id);
      return;
    }
    const outcome = await batcher.add({ eventId: event.id, statusId: event.data.statusId });
    if (outcome === 'duplicate') log.debug({}, 'status already fanned out');
    if (outcome !== 'heavy') return;
    const started = Date.now();
    const result = await fanOutStatus(database, event.data.statusId);
    await markEventProcessed(database, HOME_FEEDS_CONSUMER, event.id);
    log.info(
      { statusId: event.data.statusId, ...result, ms: Date.now() - started },
      'status of a heavy author fanned out in chunks',
    );
  };
}

function isHomeFeedEvent(event: { type: string }): event is HomeFeedEvent {
  return (HOME_FEED_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** One sweep over every account's and every list's feed, a batch per statement. */
export async function trimAllHomeFeeds(database: Database, logger: Logger): Promise<void> {
  let after: string | undefined;
  let removed = 0;
  for (;;) {
    const batch = await trimHomeFeeds(database, after ? { afterAccountId: after } : {});
    removed += batch.removed;
    if (!batch.lastAccountId) break;
    after = batch.lastAccountId;
  }
  for (after = undefined; ;) {
    const batch = await trimListFeeds(database, after ? { afterListId: after } : {});
    removed += batch.removed;
    if (!batch.lastListId) break;
    after = batch.lastListId;
  }
  if (removed > 0) logger.info({ removed }, 'home and list feeds trimmed to their bounded length');
}
