/**
 * The `federation-relationships` consumer: tells other servers what local people decided about
 * their accounts (see `createRelationshipSender`): a `Follow` when a local person follows a remote
 * account, its `Undo` on unfollow or withdrawal, and a locked local account's `Accept` or `Reject`
 * of a remote person's request. Sent through the safe fetch; a failure worth retrying throws, and
 * JetStream redelivers the event. The marker is written once sent; an event delivered again after
 * its marker (a lost ack, the reconciler) sends nothing.
 */
import { type Database } from '@murmur/db';
import { isEventProcessed, markEventProcessed } from '@murmur/db/events';
import { createRelationshipSender } from '@murmur/federation';
import type { WorkerConfig } from './config.js';
import { federationParts } from './federation-inbox.js';
import type { EventHandler } from './handlers.js';

export const FEDERATION_RELATIONSHIPS_CONSUMER = 'federation-relationships';

export function federationRelationshipsHandler(options: {
  consumer: string;
  config: WorkerConfig;
  database: Database;
}): EventHandler {
  const { consumer, database } = options;
  const send = createRelationshipSender(federationParts(options.config, database));
  return async (event) => {
    if (await isEventProcessed(database, consumer, event.id)) return;
    await send(event);
    await markEventProcessed(database, consumer, event.id);
  };
}
