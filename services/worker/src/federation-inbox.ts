/**
 * The `federation-inbox` consumer: applies the activities other servers delivered, which the API's
 * inbox verified and recorded as `RemoteActivityReceived` (notes, likes, boosts, deletions,
 * follows and their answers; see `createInboxApplier`). Outgoing requests go
 * through the safe fetch (ALLOWED_PRIVATE_ADDRESSES). A failure (the other server down) throws, and
 * JetStream redelivers the event later; the marker is written once the activity is applied, and an
 * event delivered again after it (a lost ack, the reconciler) is not applied again (nor its actor
 * fetched again).
 */
import { type Database } from '@murmur/db';
import { isEventProcessed, markEventProcessed } from '@murmur/db/events';
import {
  createInboxApplier,
  createMurmurFederation,
  createRemoteAccountResolver,
  federationUserAgent,
  type InboxApplierOptions,
} from '@murmur/federation';
import { createSafeFetch } from '@murmur/outbound';
import type { WorkerConfig } from './config.js';
import type { EventHandler } from './handlers.js';

export const FEDERATION_INBOX_CONSUMER = 'federation-inbox';

/** The federation, resolver and safe fetch a federation consumer works with. */
export function federationParts(config: WorkerConfig, database: Database): InboxApplierOptions {
  const publicOrigin = new URL(config.publicUrl).origin;
  const safeFetch = createSafeFetch({
    allowedPrivateAddresses: config.allowedPrivateAddresses,
    userAgent: federationUserAgent(publicOrigin),
  });
  const federation = createMurmurFederation({
    database,
    publicOrigin,
    // The worker serves no actor documents; keys and loaders are what it uses.
    profileImageUrl: (key) => `${publicOrigin}/media/${key}`,
    fetch: safeFetch,
  });
  const resolver = createRemoteAccountResolver({
    database,
    federation,
    fetch: safeFetch,
    publicOrigin,
  });
  return { database, federation, resolver, fetch: safeFetch, publicOrigin };
}

export function federationInboxHandler(options: {
  consumer: string;
  config: WorkerConfig;
  database: Database;
}): EventHandler {
  const { consumer, config, database } = options;
  const apply = createInboxApplier(federationParts(config, database));
  return async (event) => {
    if (event.type !== 'RemoteActivityReceived') return;
    if (await isEventProcessed(database, consumer, event.id)) return;
    await apply(event.data);
    await markEventProcessed(database, consumer, event.id);
  };
}
