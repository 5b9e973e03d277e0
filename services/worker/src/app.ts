/**
 * Builds the worker from its dependencies: the outbox relay and reconciler, the durable consumers
 * (notifications, statistics, home feeds), the statistics jobs, the home feeds trim, the dead-letter watcher and a small HTTP server
 * (`/healthz`, `/readyz`, `/status`). Nothing runs until `start()`; tests build it in-process.
 */
import {
  countDeadLetters,
  countEmailDeliveries,
  finalizeFinishedDays,
  outboxBacklog,
  refreshTodayStats,
  utcDay,
  type Database,
} from '@murmur/db';
import type { DomainEvent, EventTopology } from '@murmur/events';
import { startConsumer, type ConsumerHandle, type DeliveryMeta } from '@murmur/events/jetstream';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  createMetricsRegistry,
  httpMetrics,
  type Logger,
  type Registry,
} from '@murmur/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { WorkerConfig } from './config.js';
import { deadLetterRecorder, watchMaxDeliveries } from './dead-letters.js';
import {
  notificationsHandler,
  RetryLater,
  statisticsHandler,
  type EventHandler,
} from './handlers.js';
import { homeFeedsHandler, trimAllHomeFeeds } from './home-feeds.js';
import { Loop } from './loop.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { FileMailer, SmtpMailer, type Mailer } from './mail/mailer.js';
import { OutboxRelay, Reconciler } from './relay.js';
import {
  ensureWorkerTopology,
  HOME_FEEDS_CONSUMER,
  NOTIFICATIONS_CONSUMER,
  STATISTICS_CONSUMER,
} from './topology.js';

const CONSUMER_NAMES = [NOTIFICATIONS_CONSUMER, STATISTICS_CONSUMER, HOME_FEEDS_CONSUMER];

export interface Clock {
  now(): Date;
}

export interface WorkerDependencies {
  config: WorkerConfig;
  database: Database;
  nats: NatsConnection;
  logger: Logger;
  /** Default: SMTP when SMTP_URL is set, else .eml files in MAIL_DIR. */
  mailer?: Mailer;
  clock?: Clock;
  /** Where metrics go (served at `/metrics`); default: a new registry. */
  metricsRegistry?: Registry;
}

export interface ConsumerStatus {
  numPending: number;
  numAckPending: number;
  numRedelivered: number;
}

export interface WorkerStatus {
  outbox: Awaited<ReturnType<typeof outboxBacklog>>;
  consumers: Record<string, ConsumerStatus | null>;
  emails: Record<string, number>;
  deadLetters: number;
}

export interface Health {
  ok: boolean;
  database: boolean;
  nats: boolean;
}

export interface Worker {
  /** The HTTP server (not listening; server.ts listens, tests inject). */
  readonly app: FastifyInstance;
  readonly relay: OutboxRelay;
  readonly reconciler: Reconciler;
  readonly metrics: WorkerMetrics;
  /** Creates/verifies the topology (throws on a mismatch), then starts every loop and consumer. */
  start(): Promise<void>;
  /** Stops pulling, lets running handlers finish and ack (within the deadline), stops the loops. */
  stop(): Promise<void>;
  health(): Promise<Health>;
  status(): Promise<WorkerStatus>;
}

export function defaultMailer(config: WorkerConfig, logger: Logger): Mailer {
  if (config.smtpUrl)
    return new SmtpMailer(
      config.smtpUrl,
      config.smtpTimeoutMs,
      config.publicHost,
      config.smtpMaxConnections,
    );
  return new FileMailer(config.mailDir, (path) =>
    logger.info({ path }, 'e-mail written to a file (SMTP_URL is unset)'),
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function buildWorker(deps: WorkerDependencies): Worker {
  const { config, database, nats, logger } = deps;
  const clock = deps.clock ?? { now: () => new Date() };
  const timings = config.timings;
  const topology: EventTopology = {
    streamName: config.streamName,
    subjectPrefix: config.subjectPrefix,
  };
  const mailer = deps.mailer ?? defaultMailer(config, logger);
  const js = jetstream(nats);
  let jsm: JetStreamManager | undefined;
  const consumers: ConsumerHandle[] = [];
  let advisories: { stop(): void } | undefined;

  async function consumerInfo(): Promise<Record<string, ConsumerStatus | null>> {
    const manager = jsm ?? (jsm = await jetstreamManager(nats));
    const result: Record<string, ConsumerStatus | null> = {};
    for (const name of CONSUMER_NAMES) {
      try {
        const info = await manager.consumers.info(topology.streamName, name);
        result[name] = {
          numPending: info.num_pending,
          numAckPending: info.num_ack_pending,
          numRedelivered: info.num_redelivered,
        };
      } catch {
        result[name] = null;
      }
    }
    return result;
  }
  const metricsRegistry = deps.metricsRegistry ?? createMetricsRegistry({ service: 'worker' });
  const metrics = createWorkerMetrics(metricsRegistry, {
    outboxBacklog: () => outboxBacklog(database),
    consumers: consumerInfo,
  });

  const relayDeps = {
    database,
    databaseUrl: config.databaseUrl,
    js,
    topology,
    logger,
    timings,
    reconcileAfterMs: config.reconcileAfterMs,
  };
  const relay = new OutboxRelay(relayDeps);
  const reconciler = new Reconciler(relayDeps);
  const statsToday = new Loop({
    name: 'statistics refresh',
    intervalMs: timings.statsRefreshMs,
    logger,
    run: () => refreshTodayStats(database, utcDay(clock.now())),
  });
  const statsFinalize = new Loop({
    name: 'statistics finalization',
    intervalMs: timings.statsFinalizeMs,
    // After a (re)start there is usually a backlog of events to catch up on first; recomputing the
    // unfinalized days can cost the database seconds (a year of days after a restore, for example).
    firstRunAfterMs: timings.statsFinalizeFirstRunAfterMs,
    logger,
    run: async () => {
      const days = await finalizeFinishedDays(database, { today: utcDay(clock.now()) });
      if (days.length > 0)
        logger.info({ days }, 'daily statistics finalized from the source tables');
    },
  });

  const homeFeedsTrim = new Loop({
    name: 'home feeds trim',
    intervalMs: timings.homeFeedsTrimMs,
    firstRunAfterMs: timings.homeFeedsTrimMs,
    logger,
    run: () => trimAllHomeFeeds(database, logger),
  });

  const handlers: Record<string, EventHandler> = {
    [NOTIFICATIONS_CONSUMER]: notificationsHandler({
      database,
      mailer,
      email: {
        publicUrl: config.publicUrl,
        publicHost: config.publicHost,
        mailFrom: config.mailFrom,
        unsubscribeSecret: config.unsubscribeSecret,
        maxAttempts: config.emailMaxAttempts,
        smtpTimeoutMs: config.smtpTimeoutMs,
      },
      onEmailOutcome: (outcome) => metrics.emailOutcome(outcome),
      maxBatch: config.concurrency,
      emailsAtOnce: config.smtpMaxConnections,
      finishLingerMs: timings.mentionFinishLingerMs,
    }),
    [STATISTICS_CONSUMER]: statisticsHandler(database, {
      maxBatch: config.concurrency,
      lingerMs: timings.statisticsLingerMs,
    }),
    // Readers wait for their feed: no linger, a batch is whatever arrived during the last flush.
    [HOME_FEEDS_CONSUMER]: homeFeedsHandler(database, { maxBatch: config.concurrency }),
  };

  function consume(consumer: string): ConsumerHandle {
    const handler = handlers[consumer]!;
    return startConsumer(js, topology, {
      consumerName: consumer,
      concurrency: config.concurrency,
      logger,
      ...(timings.retryDelayMs ? { retryDelayMs: timings.retryDelayMs } : {}),
      ...(timings.pullExpiresMs ? { pullExpiresMs: timings.pullExpiresMs } : {}),
      onInvalid: deadLetterRecorder(database, consumer, logger, () =>
        metrics.deadLetter(consumer, 'invalid'),
      ),
      handle: async (event: DomainEvent, meta: DeliveryMeta) => {
        const log = logger.child({
          consumer,
          eventId: event.id,
          eventType: event.type,
          requestId: event.requestId ?? undefined,
          streamSeq: meta.streamSeq,
          deliveryCount: meta.deliveryCount,
        });
        try {
          await handler(event, log);
          metrics.eventProcessed(consumer, event.type, event.occurredAt, clock.now());
        } catch (err) {
          if (err instanceof RetryLater) log.info({ reason: err.message }, 'event will be retried');
          throw err;
        }
      },
    });
  }

  async function health(): Promise<Health> {
    const [db, nc] = await Promise.all([
      withTimeout(database.ping(), 2000).then(
        () => true,
        () => false,
      ),
      nats.isClosed()
        ? Promise.resolve(false)
        : withTimeout(nats.flush(), 2000).then(
            () => true,
            () => false,
          ),
    ]);
    return { ok: db && nc, database: db, nats: nc };
  }

  async function status(): Promise<WorkerStatus> {
    const consumerStatus = await consumerInfo();
    const [outbox, emails, deadLetters] = await Promise.all([
      outboxBacklog(database),
      countEmailDeliveries(database),
      countDeadLetters(database),
    ]);
    return {
      outbox,
      consumers: consumerStatus,
      emails: emails as Record<string, number>,
      deadLetters,
    };
  }

  // No request logging: these routes are polled by probes. Errors are still logged.
  const app: FastifyInstance = Fastify({ logger: false });
  void app.register(httpMetrics, { registry: metricsRegistry });
  app.setErrorHandler((err, request, reply) => {
    logger.error({ err, url: request.url }, 'status route failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  const HealthResponse = Type.Object({
    ok: Type.Boolean(),
    database: Type.Boolean(),
    nats: Type.Boolean(),
  });
  app.get(
    '/healthz',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    { schema: { response: { 200: HealthResponse, 503: HealthResponse } } },
    async (_request, reply) => {
      const result = await health();
      return reply.code(result.ok ? 200 : 503).send(result);
    },
  );
  const Count = Type.Integer({ minimum: 0 });
  const ConsumerStatusSchema = Type.Union([
    Type.Object({ numPending: Count, numAckPending: Count, numRedelivered: Count }),
    Type.Null(),
  ]);
  app.get(
    '/status',
    {
      schema: {
        response: {
          200: Type.Object({
            outbox: Type.Object({
              pending: Count,
              retrying: Count,
              oldestPendingSeconds: Count,
              republished: Count,
            }),
            consumers: Type.Record(Type.String(), ConsumerStatusSchema),
            emails: Type.Record(Type.String(), Count),
            deadLetters: Count,
          }),
        },
      },
    },
    async () => status(),
  );

  return {
    app,
    relay,
    reconciler,
    metrics,
    async start() {
      jsm = await jetstreamManager(nats);
      await ensureWorkerTopology(jsm, topology, {
        duplicateWindowMs: config.duplicateWindowMs,
        ackWaitMs: timings.ackWaitMs,
        maxDeliver: timings.maxDeliver,
        maxAckPending: config.maxAckPending,
        numReplicas: config.streamReplicas,
      });
      logger.info(
        {
          stream: topology.streamName,
          consumers: CONSUMER_NAMES,
          mailer: mailer.description,
        },
        'JetStream topology verified',
      );
      void mailer.prepare?.().then((prepared) => {
        if (!prepared.ok) {
          logger.warn(
            { mailer: mailer.description, error: prepared.error },
            'SMTP server not reachable at start-up; e-mails will be retried',
          );
        }
      });
      statsFinalize.start();
      statsToday.start();
      await relay.start();
      reconciler.start();
      homeFeedsTrim.start();
      consumers.push(...CONSUMER_NAMES.map(consume));
      advisories = watchMaxDeliveries({
        nc: nats,
        jsm,
        database,
        topology,
        logger,
        onStored: (consumer) => metrics.deadLetter(consumer, 'max_deliveries'),
      });
      await Promise.all(consumers.map((c) => c.ready));
      logger.info({ concurrency: config.concurrency }, 'worker started');
    },
    async stop() {
      logger.info({}, 'worker stopping');
      advisories?.stop();
      await Promise.all(
        consumers.splice(0).map((c) => c.stop({ deadlineMs: timings.shutdownDeadlineMs })),
      );
      await Promise.all([
        relay.stop(),
        reconciler.stop(),
        statsToday.stop(),
        statsFinalize.stop(),
        homeFeedsTrim.stop(),
      ]);
      logger.info({}, 'worker stopped');
    },
    health,
    status,
  };
}
