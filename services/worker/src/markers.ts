import { type Database } from '@murmur/db';
import { markEventsProcessed } from '@murmur/db/events';
import { Batcher } from './batcher.js';

/**
 * How long a marker waits for others to share its statement. Nobody waits for these markers (only
 * the event's acknowledgement does, which has seconds), and at 100 posts/s, one every 10 ms, a
 * batch without a linger held one event: two consumers' statements and acknowledgements per post
 * for nothing done, beside the work that someone does wait for (bench/README.md, session 13).
 */
export const NOTHING_TO_DO_LINGER_MS = 50;

/**
 * Marks events a consumer had nothing to do for (`markEventsProcessed`), group committed: the
 * events that arrive while a statement runs or within NOTHING_TO_DO_LINGER_MS share the next one.
 * At 200 posts/s the conversations and federation-delivery consumers each wrote 200 one-row
 * transactions a second, each waiting for the disk, for posts that were neither direct nor sent
 * anywhere. The returned function resolves once the event's marker is written (the caller
 * acknowledges after that).
 */
export function nothingToDoMarker(
  database: Database,
  consumer: string,
  options: { maxBatch: number },
): (eventId: string) => Promise<void> {
  const batcher = new Batcher(
    async (eventIds: string[]) => {
      await markEventsProcessed(database, consumer, eventIds);
      return eventIds.map(() => undefined);
    },
    { maxBatch: options.maxBatch, lingerMs: NOTHING_TO_DO_LINGER_MS },
  );
  return (eventId) => batcher.add(eventId);
}
