import { type Database } from '@murmur/db';
import { markEventsProcessed } from '@murmur/db/events';
import { Batcher } from './batcher.js';

/**
 * Marks events a consumer had nothing to do for (`markEventsProcessed`), group committed: the
 * events that arrive while a statement runs share the next one. At 200 posts/s the conversations
 * and federation-delivery consumers each wrote 200 one-row transactions a second, each waiting for
 * the disk, for posts that were neither direct nor sent anywhere. The returned function resolves
 * once the event's marker is written (the caller acknowledges after that).
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
    { maxBatch: options.maxBatch },
  );
  return (eventId) => batcher.add(eventId);
}
