/**
 * @murmur/db/events: the one road's plumbing on the database side: the outbox relay (operations
 * write events, the relay publishes them to JetStream), consumers' processed-event ledger, the
 * e-mail ledger, dead letters, and their retention.
 */
export {
  relayOutbox,
  settleOutbox,
  reconcileOutboxBatch,
  rescheduleUnprocessedOutboxEvents,
  deleteProcessedOutboxEvents,
  outboxBacklog,
  listenForOutbox,
  type OutboxRow,
  type PublishOutcome,
  type UnsettledBatch,
  type ConsumersByEventType,
  type OutboxBacklog,
  type OutboxListener,
} from '../operations/relay.js';
export {
  countProcessedEvents,
  isEventProcessed,
  markEventProcessed,
  markEventsProcessed,
  deleteOldProcessedEvents,
  PROCESSED_EVENTS_RETENTION_MS,
} from '../operations/consumers.js';
export {
  claimEmailDeliveries,
  recordEmailOutcome,
  countEmailDeliveries,
  type EmailClaim,
  type EmailDeliveryRequest,
} from '../operations/email-deliveries.js';
export {
  recordDeadLetter,
  listDeadLetters,
  countDeadLetters,
  type DeadLetter,
} from '../operations/dead-letters.js';
