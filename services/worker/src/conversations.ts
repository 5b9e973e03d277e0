/**
 * The conversations consumer: a direct message enters its participants' conversations
 * (`@murmur/db` `recordDirectMessageOnce`, marker and effect in one statement). Other posts are
 * only marked, so the reconciler does not republish them.
 */
import { type Database } from '@murmur/db';
import { recordDirectMessageOnce } from '@murmur/db/conversations';
import type { EventHandler } from './handlers.js';
import { nothingToDoMarker } from './markers.js';

export const CONVERSATIONS_CONSUMER = 'conversations';

export function conversationsHandler(
  database: Database,
  options: { maxBatch: number },
): EventHandler {
  const markNothingToDo = nothingToDoMarker(database, CONVERSATIONS_CONSUMER, options);
  return async (event, log) => {
    if (event.type !== 'PostCreated' || event.data.visibility !== 'direct') {
      await markNothingToDo(event.id);
      return;
    }
    const fresh = await recordDirectMessageOnce(database, CONVERSATIONS_CONSUMER, {
      eventId: event.id,
      statusId: event.data.statusId,
    });
    if (!fresh) log.debug({}, 'direct message already recorded');
  };
}
