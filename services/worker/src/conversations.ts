/**
 * The conversations consumer: a direct message enters its participants' conversations
 * (`@murmur/db` `recordDirectMessageOnce`, marker and effect in one statement). Other posts are
 * only marked, so the reconciler does not republish them.
 */
import { type Database } from '@murmur/db';
import { markEventProcessed } from '@murmur/db/events';
import { recordDirectMessageOnce } from '@murmur/db/conversations';
import type { EventHandler } from './handlers.js';

export const CONVERSATIONS_CONSUMER = 'conversations';

export function conversationsHandler(database: Database): EventHandler {
  return async (event, log) => {
    if (event.type !== 'PostCreated' || event.data.visibility !== 'direct') {
      await markEventProcessed(database, CONVERSATIONS_CONSUMER, event.id);
      return;
    }
    const fresh = await recordDirectMessageOnce(database, CONVERSATIONS_CONSUMER, {
      eventId: event.id,
      statusId: event.data.statusId,
    });
    if (!fresh) log.debug({}, 'direct message already recorded');
  };
}
