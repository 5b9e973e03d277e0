/**
 * The worker's Prometheus metrics, served at `/metrics` with the process metrics and the request
 * durations of its small HTTP server (`@murmur/service-kit`'s `httpMetrics`):
 *
 * - `murmur_outbox_pending_events`, `murmur_outbox_retrying_events`,
 *   `murmur_outbox_oldest_pending_age_seconds`: the relay's backlog, read from PostgreSQL on scrape;
 * - `murmur_consumer_pending_messages`, `murmur_consumer_ack_pending_messages`,
 *   `murmur_consumer_redelivered_messages` `{consumer}`: JetStream consumer info, read on scrape
 *   (the same for every worker process: the consumers are shared);
 * - `murmur_events_processed_total{consumer,type}`: events a handler finished (then acked);
 * - `murmur_event_processing_lag_seconds{consumer}`: from the event's `occurredAt` to its ack;
 * - `murmur_emails_total{outcome}`: mention e-mails `sent`, `failed` (gave up) or `unknown`;
 * - `murmur_dead_letters_total{consumer,reason}`: dead letters this process recorded.
 */
import type { OutboxBacklog } from '@murmur/db/events';
import { Counter, Gauge, Histogram, type Registry } from '@murmur/service-kit';

export interface ConsumerNumbers {
  numPending: number;
  numAckPending: number;
  numRedelivered: number;
}

export type EmailOutcomeLabel = 'sent' | 'failed' | 'unknown';
export type DeadLetterReason = 'invalid' | 'max_deliveries';
export type PushOutcomeLabel = 'sent' | 'gone' | 'failed';
export type { DeliveryOutcomeLabel } from './federation-delivery.js';
import type { DeliveryOutcomeLabel } from './federation-delivery.js';

export interface WorkerMetrics {
  readonly registry: Registry;
  eventProcessed(consumer: string, type: string, occurredAt: string, now: Date): void;
  emailOutcome(outcome: EmailOutcomeLabel): void;
  pushOutcome(outcome: PushOutcomeLabel): void;
  federationDelivery(outcome: DeliveryOutcomeLabel): void;
  deadLetter(consumer: string, reason: DeadLetterReason): void;
}

export interface ScrapeSources {
  outboxBacklog(): Promise<OutboxBacklog>;
  /** Consumer info by consumer name; null when the consumer cannot be read. */
  consumers(): Promise<Record<string, ConsumerNumbers | null>>;
}

/** Event lag buckets in seconds: milliseconds when all is well, minutes when something is stuck. */
export const EVENT_LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/**
 * One read per scrape shared by the gauges that use it (each gauge's `collect` runs on every
 * scrape; the first starts the read, the others within `ttlMs` reuse it).
 */
function sharedRead<T>(read: () => Promise<T>, ttlMs = 1000): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) {
      const value = read();
      cached = { at: now, value };
      // A failed read is not kept for the next scrape.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}

export function createWorkerMetrics(registry: Registry, sources: ScrapeSources): WorkerMetrics {
  const registers = [registry];
  const backlog = sharedRead(() => sources.outboxBacklog());
  const consumers = sharedRead(() => sources.consumers());

  const backlogGauge = (name: string, help: string, pick: (b: OutboxBacklog) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.set(pick(await backlog()));
      },
    });
  backlogGauge(
    'murmur_outbox_pending_events',
    'Outbox events not yet published to JetStream',
    (b) => b.pending,
  );
  backlogGauge(
    'murmur_outbox_retrying_events',
    'Pending outbox events whose last publish failed',
    (b) => b.retrying,
  );
  backlogGauge(
    'murmur_outbox_oldest_pending_age_seconds',
    'Age of the oldest unpublished outbox event (0 when none)',
    (b) => b.oldestPendingSeconds,
  );

  const consumerGauge = (name: string, help: string, pick: (c: ConsumerNumbers) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['consumer'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [consumer, numbers] of Object.entries(await consumers())) {
          if (numbers) this.set({ consumer }, pick(numbers));
        }
      },
    });
  consumerGauge(
    'murmur_consumer_pending_messages',
    'Messages of the stream the consumer has not delivered yet',
    (c) => c.numPending,
  );
  consumerGauge(
    'murmur_consumer_ack_pending_messages',
    'Messages delivered and not yet acknowledged',
    (c) => c.numAckPending,
  );
  consumerGauge(
    'murmur_consumer_redelivered_messages',
    'Messages delivered more than once and not yet acknowledged',
    (c) => c.numRedelivered,
  );

  const processed = new Counter({
    name: 'murmur_events_processed_total',
    help: 'Events a consumer handler finished (acknowledged afterwards), by consumer and event type',
    labelNames: ['consumer', 'type'] as const,
    registers,
  });
  const lag = new Histogram({
    name: 'murmur_event_processing_lag_seconds',
    help: 'Time from an event occurring (outbox write) to its acknowledgement, by consumer',
    labelNames: ['consumer'] as const,
    buckets: EVENT_LAG_BUCKETS,
    registers,
  });
  const emails = new Counter({
    name: 'murmur_emails_total',
    help: 'Mention e-mails by outcome: sent, failed (given up) or unknown (maybe delivered)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const pushes = new Counter({
    name: 'murmur_web_pushes_total',
    help: 'Web Push messages by outcome: sent, gone (404/410: subscription deleted) or failed',
    labelNames: ['outcome'] as const,
    registers,
  });
  const federationDeliveries = new Counter({
    name: 'murmur_federation_deliveries_total',
    help: 'Attempts to deliver an activity to a remote inbox, by outcome: delivered, failed (for good), retry (after a back-off) or deferred (the host circuit was open, nothing sent)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const deadLetters = new Counter({
    name: 'murmur_dead_letters_total',
    help: 'Dead letters recorded by this process, by consumer and reason',
    labelNames: ['consumer', 'reason'] as const,
    registers,
  });
  // Zero series from the start, so rates and alerts work before the first occurrence.
  for (const outcome of ['sent', 'failed', 'unknown'] as const) emails.inc({ outcome }, 0);
  for (const outcome of ['sent', 'gone', 'failed'] as const) pushes.inc({ outcome }, 0);
  for (const outcome of ['delivered', 'failed', 'retry', 'deferred'] as const) {
    federationDeliveries.inc({ outcome }, 0);
  }

  return {
    registry,
    eventProcessed(consumer, type, occurredAt, now) {
      processed.inc({ consumer, type });
      const occurred = Date.parse(occurredAt);
      if (Number.isFinite(occurred)) {
        lag.observe({ consumer }, Math.max(0, (now.getTime() - occurred) / 1000));
      }
    },
    emailOutcome(outcome) {
      emails.inc({ outcome });
    },
    pushOutcome(outcome) {
      pushes.inc({ outcome });
    },
    federationDelivery(outcome) {
      federationDeliveries.inc({ outcome });
    },
    deadLetter(consumer, reason) {
      deadLetters.inc({ consumer, reason });
    },
  };
}
