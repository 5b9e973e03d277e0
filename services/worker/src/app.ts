/**
 * Builds the worker from its dependencies: the outbox relay and reconciler, the durable consumers
 * declared in `consumers.ts` (notifications, statistics, media, home feeds), the periodic jobs
 * (statistics, retention, media cleanup, home feeds trim, due work: ended polls, scheduled statuses), the dead-letter watcher and a small HTTP
 * server (`/healthz`, `/readyz`, `/status`). Nothing runs until `start()`; tests build it in-process.
 */
import { type Database } from '@murmur/db';
import { countDeadLetters, countEmailDeliveries, outboxBacklog } from '@murmur/db/events';
import { finalizeFinishedDays, refreshTodayStats, utcDay } from '@murmur/db/statistics';
import { retentionJob } from './retention.js';
import { dueWorkJob } from './due-work.js';
import type { DomainEvent, EventTopology } from '@murmur/events';
import { createMediaStorage, type MediaStorage } from '@murmur/media';
import {
  startConsumer,
  TopologyKeeper,
  type ConsumerHandle,
  type DeliveryMeta,
} from '@murmur/events/jetstream';
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
import { CONSUMERS, type ConsumerDeclaration } from './consumers.js';
import { RetryLater, waitsForDatabase } from './handlers.js';
import { trimAllHomeFeeds } from './home-feeds.js';
import { Loop } from './loop.js';
import { DEFAULT_BACKOFF } from '@murmur/federation';
import { createFederationSending } from './federation-delivery.js';
import { cleanUpMedia } from './media/cleanup.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { FileMailer, SmtpMailer, type Mailer } from './mail/mailer.js';
import { OutboxRelay, Reconciler } from './relay.js';
import { ensureWorkerTopology } from './topology.js';

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
  /** Default: the storage MEDIA_STORAGE configures. */
  mediaStorage?: MediaStorage;
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
  /** Recreates the stream and consumers when they go missing. */
  readonly keeper: TopologyKeeper;
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
  const mediaStorage = deps.mediaStorage ?? createMediaStorage(config.mediaStorage);
  const js = jetstream(nats);
  let jsm: JetStreamManager | undefined;
  const consumers: ConsumerHandle[] = [];
  let advisories: { stop(): void } | undefined;

  async function consumerInfo(): Promise<Record<string, ConsumerStatus | null>> {
    const manager = jsm ?? (jsm = await jetstreamManager(nats));
    const result: Record<string, ConsumerStatus | null> = {};
    for (const { name } of CONSUMERS) {
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

  // The stream and consumers this worker declares, recreated whenever they go missing (a NATS server
  // or cluster back on empty storage) without a restart; what the lost stream held is republished.
  const keeper = new TopologyKeeper({
    nc: nats,
    streamName: topology.streamName,
    logger,
    ensure: (manager) =>
      ensureWorkerTopology(manager, topology, {
        duplicateWindowMs: config.duplicateWindowMs,
        ackWaitMs: timings.ackWaitMs,
        maxDeliver: timings.maxDeliver,
        maxAckPending: config.maxAckPending,
        numReplicas: config.streamReplicas,
      }),
    // Called from ensure(), which runs only once everything below exists.
    onStreamCreated: () => reconciler.republishUnprocessedSoon(),
  });
  const healTopology = (reason: string, err: unknown) => keeper.heal(reason, err);

  const relayDeps = {
    healTopology,
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

  const federationSending = createFederationSending({
    config,
    database,
    logger,
    onOutcome: (outcome) => metrics.federationDelivery(outcome),
    deliverer: { backoff: { ...DEFAULT_BACKOFF, baseMs: timings.federationRetryBaseMs } },
  });
  const federationRetries = new Loop({
    name: 'federation delivery retries',
    intervalMs: timings.federationRetryMs,
    logger,
    run: () => federationSending.retryDue(),
  });

  const homeFeedsTrim = new Loop({
    name: 'home feeds trim',
    intervalMs: timings.homeFeedsTrimMs,
    firstRunAfterMs: timings.homeFeedsTrimMs,
    logger,
    run: () => trimAllHomeFeeds(database, logger),
  });

  const mediaCleanup = new Loop({
    name: 'media cleanup',
    intervalMs: timings.mediaCleanupMs,
    logger,
    run: () =>
      cleanUpMedia(
        { database, storage: mediaStorage, logger },
        { now: clock.now(), unattachedTtlMs: timings.unattachedMediaTtlMs },
      ),
  });

  const dueWork = new Loop({
    name: 'due work',
    intervalMs: timings.dueWorkMs,
    logger,
    run: () => dueWorkJob(database, logger, { maxStatusCharacters: config.maxStatusCharacters }),
  });

  const retention = new Loop({
    name: 'retention',
    intervalMs: timings.retentionIntervalMs,
    logger,
    run: () => retentionJob(database, logger),
  });

  function consume(declaration: ConsumerDeclaration): ConsumerHandle {
    const consumer = declaration.name;
    const handler = declaration.handler({
      consumer,
      config,
      database,
      mailer,
      metrics,
      mediaStorage,
      federationSending,
    });
    const handles = new Set<string>(declaration.handles);
    return startConsumer(js, topology, {
      consumerName: consumer,
      concurrency: config.concurrency,
      logger,
      ...(timings.retryDelayMs ? { retryDelayMs: timings.retryDelayMs } : {}),
      ...(timings.pullExpiresMs ? { pullExpiresMs: timings.pullExpiresMs } : {}),
      onTopologyMissing: (err) => healTopology(`consumer ${consumer}`, err),
      // A database restart spends no delivery: the event waits in the handler for the database.
      isTransient: waitsForDatabase,
      onInvalid: deadLetterRecorder(database, consumer, logger, () =>
        metrics.deadLetter(consumer, 'invalid'),
      ),
      handle: async (event: DomainEvent, meta: DeliveryMeta) => {
        // Read from the whole stream, not owed: acknowledged unread (see consumers.ts).
        if (!handles.has(event.type)) return;
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
    keeper,
    metrics,
    async start() {
      jsm = await jetstreamManager(nats);
      await keeper.ensureWhenAvailable(timings.topologyStartTimeoutMs);
      logger.info(
        {
          stream: topology.streamName,
          consumers: CONSUMERS.map((c) => c.name),
          mailer: mailer.description,
          mediaStorage: mediaStorage.description,
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
      mediaCleanup.start();
      retention.start();
      dueWork.start();
      federationRetries.start();
      await relay.start();
      reconciler.start();
      homeFeedsTrim.start();
      consumers.push(...CONSUMERS.map(consume));
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
      if (!config.webPush.enabled) {
        logger.warn({ reason: config.webPush.reason }, 'Web Push is off: nothing is pushed');
      }
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
        mediaCleanup.stop(),
        retention.stop(),
        dueWork.stop(),
        federationRetries.stop(),
        homeFeedsTrim.stop(),
      ]);
      // Deliveries started by the consumer record their outcomes, within the deadline; those still
      // queued stay leased in the ledger and another worker sends them once the lease runs out.
      await withTimeout(federationSending.idle(), timings.shutdownDeadlineMs).catch(() =>
        logger.warn({}, 'federation deliveries left to the retry loop of another worker'),
      );
      logger.info({}, 'worker stopped');
    },
    health,
    status,
  };
}
