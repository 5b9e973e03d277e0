/**
 * The periodic retention sweep: what expires is deleted, so the tables that grow with traffic stay
 * bounded. The outbox itself is swept by the reconciler (`relay.ts`), which knows what is processed.
 */
import { type Database } from '@murmur/db';
import { deleteExpiredRateLimits, deleteExpiredWebSessions } from '@murmur/db/auth';
import { deleteOldProcessedEvents, PROCESSED_EVENTS_RETENTION_MS } from '@murmur/db/events';
import { deleteOldWebPushDeliveries } from '@murmur/db/notifications';
import { deleteFinishedFederationDeliveries } from '@murmur/db/federation';
import type { Logger } from '@murmur/service-kit';

export interface RetentionResult {
  rateLimitCounters: number;
  webSessions: number;
  processedEvents: number;
  webPushDeliveries: number;
  federationDeliveries: number;
}

/**
 * Deletes expired rate-limit counters and website sessions, and processed-event markers, Web Push
 * ledger rows and finished federation deliveries past their retention (`PROCESSED_EVENTS_RETENTION_MS`, explained there). Each step is
 * bounded or cheap, and one failing does not stop the others.
 */
export async function retentionJob(database: Database, logger: Logger): Promise<RetentionResult> {
  const steps = {
    rateLimitCounters: () => deleteExpiredRateLimits(database),
    webSessions: () => deleteExpiredWebSessions(database),
    processedEvents: () => deleteOldProcessedEvents(database),
    webPushDeliveries: () => deleteOldWebPushDeliveries(database),
    // Finished deliveries are kept as long as markers, for operators; the marker, not the row,
    // is what keeps a redelivered event from sending again.
    federationDeliveries: () =>
      deleteFinishedFederationDeliveries(database, { olderThanMs: PROCESSED_EVENTS_RETENTION_MS }),
  };
  const result: RetentionResult = {
    rateLimitCounters: 0,
    webSessions: 0,
    processedEvents: 0,
    webPushDeliveries: 0,
    federationDeliveries: 0,
  };
  for (const [name, step] of Object.entries(steps) as [
    keyof RetentionResult,
    () => Promise<number>,
  ][]) {
    try {
      result[name] = await step();
    } catch (err) {
      logger.error({ err, step: name }, 'retention step failed; it runs again next time');
    }
  }
  if (Object.values(result).some((deleted) => deleted > 0)) {
    logger.info(result, 'expired rows deleted');
  }
  return result;
}
