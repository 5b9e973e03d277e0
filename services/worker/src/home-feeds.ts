/**
 * The home-feeds consumer: pushes each new status into its author's followers' home feeds (fan-out
 * on write, `@murmur/db` `fanOutStatusesOnce` / `fanOutChunk`), and the hashtag followers'; applies
 * boosts, undone boosts, deletions, follows and unfollows to the feeds (`applyHomeFeedEvent`); and
 * the sweep that keeps every feed to its bounded length. The reader's own posts are not fanned out
 * to them: the home read merges the reader's own statuses, so they show at once.
 */
import { type Database } from '@murmur/db';
import {
  applyHomeFeedEvent,
  fanOutChunk,
  fanOutStatusesOnce,
  fanOutToTagsAndLists,
  trimHomeFeeds,
  trimListFeeds,
  HOME_FEED_EVENT_TYPES,
  type FanOutChunkResult,
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
 * Most posts one fan-out statement carries (about 32,000 feed rows at 1,000 followers each, 0.15 s
 * of one core here). Readers wait for the whole statement to commit, and a flush that takes the
 * whole queue after a stall (a checkpoint, a busy machine) made every post in it wait for all of it
 * on one core, while the other lane took what arrived after: with a cap, both lanes drain the
 * backlog in order and its posts commit a batch at a time (ARCHITECTURE.md, "Home feeds").
 */
export const HOME_FEED_BATCH_POSTS = 32;

/**
 * How long a status's later chunks (all but its first) may wait while everyone else's posts fill
 * the batches. They join a batch only when the posts waiting leave room in it (the flushes keep
 * up): a 100,000-follower post's twenty chunks, one per flush, added work to every batch while the
 * lanes were already behind, and the others' delay grew by a second or more over the post's ten
 * seconds (bench/README.md). Behind, the chunks now wait, up to this long each, so that a heavy
 * author is never starved.
 */
export const LATER_CHUNKS_WAIT_AT_MOST_MS = 2_000;

/** What one flush of the consumer's batcher carries: new posts, and chunks of heavy authors' posts. */
type FanOutWork =
  { kind: 'post'; event: FanOutEvent } | { kind: 'chunk'; statusId: string; after: string };

type FanOutWorkResult =
  { kind: 'post'; outcome: FanOutOutcome } | ({ kind: 'chunk' } & FanOutChunkResult);

/**
 * Statuses of ordinary authors handled at the same time share one statement (group commit: their
 * markers and every follower's entry commit together). A heavy author's status (more than
 * `HEAVY_AUTHOR_FOLLOWERS` followers) goes through the same batches one chunk at a time: each
 * chunk waits its turn in the queue behind the posts that arrived before it, and the next chunk is
 * queued only when it is done. The database's two cores then go to everyone's posts first, the big
 * post taking at most a chunk's share of each batch: run beside the batches at full speed, its
 * 100,000 rows held the others back for longer than the big post itself took (ARCHITECTURE.md).
 * Its chunks after the first give way to the posts while the flushes are behind
 * (`LATER_CHUNKS_WAIT_AT_MOST_MS`). It is marked after its last chunk; a redelivery after a crash
 * mid-way repeats the chunks harmlessly (their entries are then inserted with ON CONFLICT DO
 * NOTHING). Boosts take the same turns, whoever boosts.
 */
export function homeFeedsHandler(database: Database, options: BatcherOptions): EventHandler {
  const batcher = new Batcher((work: FanOutWork[]) => fanOutBatch(database, work), {
    ...options,
    background: {
      is: (work) => work.kind === 'chunk' && work.after !== '0',
      waitsAtMostMs: LATER_CHUNKS_WAIT_AT_MOST_MS,
    },
  });
  /** A status into its author's followers' feeds a chunk per turn in the batches, then the rest. */
  const fanOutTakingTurns = async (statusId: string) => {
    const total = { followers: 0, inserted: 0, chunks: 0 };
    for (let after: string | null = '0'; after !== null; total.chunks++) {
      const chunk = await batcher.add({ kind: 'chunk', statusId, after });
      if (chunk.kind !== 'chunk') break;
      total.followers += chunk.followers;
      total.inserted += chunk.inserted;
      after = chunk.next;
    }
    total.inserted += await fanOutToTagsAndLists(database, statusId);
    return total;
  };
  return async (event, log) => {
    if (event.type === 'StatusReblogged') {
      // A boost has no group statement of its own (each skips the feeds that show its original
      // near the top), so every boost takes turns as a heavy author's post does: a boost by an
      // account with 100,000 followers must not hold everyone else's posts back either.
      const started = Date.now();
      const total = await fanOutTakingTurns(event.data.reblogId);
      await markEventProcessed(database, HOME_FEEDS_CONSUMER, event.id);
      if (total.chunks > 1) {
        log.info(
          { reblogId: event.data.reblogId, ...total, ms: Date.now() - started },
          'boost fanned out in chunks',
        );
      }
      return;
    }
    if (event.type !== 'PostCreated') {
      // Effects idempotent by themselves (see `applyHomeFeedEvent`), then the marker: a crash in
      // between repeats an effect that changes nothing.
      if (isHomeFeedEvent(event)) await applyHomeFeedEvent(database, event);
      await markEventProcessed(database, HOME_FEEDS_CONSUMER, event.id);
      return;
    }
    const { statusId } = event.data;
    const posted = await batcher.add({ kind: 'post', event: { eventId: event.id, statusId } });
    const outcome = posted.kind === 'post' ? posted.outcome : 'duplicate';
    if (outcome === 'duplicate') log.debug({}, 'status already fanned out');
    if (outcome !== 'heavy') return;
    const started = Date.now();
    const total = await fanOutTakingTurns(statusId);
    await markEventProcessed(database, HOME_FEEDS_CONSUMER, event.id);
    log.info(
      { statusId, ...total, ms: Date.now() - started },
      'status of a heavy author fanned out in chunks',
    );
  };
}

/**
 * One flush: the posts in one group-committed statement, then each chunk of a heavy post in its
 * own statement (at most one per heavy post in flight).
 */
async function fanOutBatch(database: Database, work: FanOutWork[]): Promise<FanOutWorkResult[]> {
  const posts = work.flatMap((w) => (w.kind === 'post' ? [w.event] : []));
  const outcomes =
    posts.length > 0
      ? await fanOutStatusesOnce(database, HOME_FEEDS_CONSUMER, posts)
      : new Map<string, FanOutOutcome>();
  const results: FanOutWorkResult[] = [];
  for (const w of work) {
    results.push(
      w.kind === 'post'
        ? { kind: 'post', outcome: outcomes.get(w.event.eventId) ?? 'duplicate' }
        : { kind: 'chunk', ...(await fanOutChunk(database, w.statusId, w.after)) },
    );
  }
  return results;
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
