/**
 * The `federation-delivery` consumer and its retry loop: what Murmur sends other servers about
 * local events (see `createOutgoingPlanner`: Create/Update/Delete of Notes and Questions, Announce
 * and its Undo, Update of a Person, votes and poll counts).
 *
 * For each event the consumer writes one ledger row per inbox (`federation_deliveries`) with the
 * event's marker, in one statement, and starts sending those rows at once, in the background: the
 * event is acknowledged without waiting for slow servers. Each row ends delivered, failed, or due
 * again after a back-off; the retry loop claims due rows (and rows whose sender crashed, once their
 * lease runs out) every few seconds. One `Deliverer` per process bounds the requests (overall and
 * per host) and keeps a circuit breaker per host.
 */
import { type Database } from '@murmur/db';
import {
  claimDueFederationDeliveries,
  enqueueFederationDeliveries,
  recordFederationDeliveryOutcomes,
  type ClaimedFederationDelivery,
} from '@murmur/db/federation';
import {
  createMurmurFederation,
  createOutgoingPlanner,
  DEFAULT_DELIVERY_CONCURRENCY,
  DEFAULT_PER_HOST_CONCURRENCY,
  Deliverer,
  federationUserAgent,
  signingIdentities,
} from '@murmur/federation';
import { createSafeFetch } from '@murmur/outbound';
import type { Logger } from '@murmur/service-kit';
import type { WorkerConfig } from './config.js';
import type { EventHandler } from './handlers.js';
import { nothingToDoMarker } from './markers.js';

export const FEDERATION_DELIVERY_CONSUMER = 'federation-delivery';

/** A remote inbox has this long to answer (Mastodon allows about as long). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How long a process keeps the rows it is sending before another may take them over. */
export const DELIVERY_LEASE_MS = 10 * 60_000;
/** Rows the retry loop claims at a time. */
export const RETRY_BATCH = 200;
/** Most markers of events with no remote audience written in one statement. */
const MARKER_BATCH = 500;

export type DeliveryOutcomeLabel = 'delivered' | 'failed' | 'retry' | 'deferred';

export interface FederationSending {
  handler(consumer: string): EventHandler;
  /** Claims and sends due deliveries until none is left; returns how many were attempted. */
  retryDue(): Promise<number>;
  /** Resolves once every delivery started so far has its outcome recorded (tests, shutdown). */
  idle(): Promise<void>;
}

export function createFederationSending(options: {
  config: Pick<WorkerConfig, 'publicUrl' | 'allowedPrivateAddresses'>;
  database: Database;
  logger: Logger;
  onOutcome?: (outcome: DeliveryOutcomeLabel) => void;
  /** Overrides for tests and the benchmark. */
  deliverer?: Partial<ConstructorParameters<typeof Deliverer>[0]>;
}): FederationSending {
  const { database, logger } = options;
  const publicOrigin = new URL(options.config.publicUrl).origin;
  const safeFetch = createSafeFetch({
    allowedPrivateAddresses: options.config.allowedPrivateAddresses,
    userAgent: federationUserAgent(publicOrigin),
    timeoutMs: DELIVERY_TIMEOUT_MS,
    maxResponseBytes: 64 * 1024,
  });
  const federation = createMurmurFederation({
    database,
    publicOrigin,
    profileImageUrl: (key) => `${publicOrigin}/media/${key}`,
    fetch: safeFetch,
  });
  const planner = createOutgoingPlanner({ database, federation, publicOrigin });
  const deliverer = new Deliverer({
    fetch: safeFetch,
    signingIdentity: signingIdentities(database, publicOrigin),
    concurrency: DEFAULT_DELIVERY_CONCURRENCY,
    perHostConcurrency: DEFAULT_PER_HOST_CONCURRENCY,
    onOutcome: (job, outcome) => {
      options.onOutcome?.(outcome.result);
      if (outcome.result === 'failed') {
        logger.warn({ inbox: job.inboxUrl, error: outcome.error }, 'federation delivery failed');
      } else if (outcome.result === 'retry') {
        // The operator's first clue to a host that is down or slow, before its circuit opens.
        logger.info(
          { inbox: job.inboxUrl, error: outcome.error, retryInMs: outcome.retryInMs },
          'federation delivery will be retried',
        );
      }
    },
    ...options.deliverer,
  });
  const running = new Set<Promise<void>>();

  async function send(rows: readonly ClaimedFederationDelivery[]): Promise<void> {
    const outcomes = await deliverer.deliverAll(rows);
    await recordFederationDeliveryOutcomes(database, outcomes);
  }

  function sendInBackground(rows: readonly ClaimedFederationDelivery[]): void {
    const task = send(rows)
      // The rows stay leased; once the lease runs out the retry loop sends them.
      .catch((error: unknown) => logger.error({ err: error }, 'federation delivery interrupted'))
      .finally(() => running.delete(task));
    running.add(task);
  }

  return {
    handler: (consumer) => {
      const markNothingToDo = nothingToDoMarker(database, consumer, { maxBatch: MARKER_BATCH });
      return async (event) => {
        const plan = await planner(event);
        if (!plan || plan.inboxes.length === 0) {
          await markNothingToDo(event.id);
          return;
        }
        const ledgerKey = plan.ledgerKey ?? event.id;
        const rows = await enqueueFederationDeliveries(database, {
          consumer,
          eventId: ledgerKey,
          senderAccountId: plan.senderAccountId,
          activities: plan.activities,
          inboxUrls: plan.inboxes,
          leaseMs: DELIVERY_LEASE_MS,
        });
        // Planned under a shared key (a poll's counts): the event itself is marked as handled.
        if (ledgerKey !== event.id) await markNothingToDo(event.id);
        if (rows.length > 0) sendInBackground(rows);
      };
    },
    async retryDue() {
      let attempted = 0;
      for (;;) {
        const rows = await claimDueFederationDeliveries(database, {
          limit: RETRY_BATCH,
          leaseMs: DELIVERY_LEASE_MS,
        });
        if (rows.length === 0) return attempted;
        attempted += rows.length;
        await send(rows);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
