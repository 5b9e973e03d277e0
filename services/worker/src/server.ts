/**
 * The worker's entry point: read the configuration, connect to PostgreSQL and NATS, verify the
 * JetStream topology, run, and shut down gracefully on SIGTERM/SIGINT (stop pulling, finish and ack
 * the events in flight, close). A NATS connection that closes for good ends the process with a
 * non-zero code so the supervisor restarts it.
 */
import { checkDurabilitySettings, createDatabase } from '@murmur/db';
import {
  checkNatsServer,
  connectToNats,
  redactNatsUrl,
  watchConnectionClosed,
} from '@murmur/events/jetstream';
import {
  createLogger,
  runtimeInfo,
  loadConfigOrExit,
  onShutdownSignal,
  redactUrl,
} from '@murmur/service-kit';
import { disableImageCache } from '@murmur/media';
import { buildWorker } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfigOrExit(loadConfig);
// Uploads are never alike: libvips's operation cache would only hold memory.
disableImageCache();

const logger = createLogger({ service: 'worker', level: config.logLevel });
logger.info(runtimeInfo(), 'worker starting');
const database = createDatabase({
  url: config.databaseUrl,
  applicationName: 'murmur-worker',
  // Not one per handler: the consumers' statements are batched (one connection per step at a time,
  // never held across the SMTP conversation), and the relay holds none while it publishes. The rest
  // is for the reconciler, the statistics jobs, /status, and the rare statements of a failing e-mail.
  poolSize: 12,
  onError: (err) => logger.warn({ err }, 'database connection error'),
});

// Emails and events act on committed transactions, so those must survive a crash (reliability R35).
const durability = await checkDurabilitySettings(database);
for (const warning of durability.warnings) logger.warn(warning);
for (const problem of durability.problems) logger.error(problem);
if (durability.problems.length > 0 && config.nodeEnv === 'production') {
  logger.fatal('refusing to start in production with unsafe PostgreSQL settings');
  process.exit(1);
}

const nats = await connectToNats({
  url: config.natsUrl,
  auth: config.natsAuth,
  name: 'murmur-worker',
  logger,
});
const server = checkNatsServer(nats);
for (const warning of server.warnings) logger.warn({ natsVersion: server.version }, warning);
const unwatch = watchConnectionClosed(nats, (err) => {
  logger.fatal(
    { err },
    'NATS connection closed for good; exiting so the supervisor restarts the worker',
  );
  process.exit(1);
});

const worker = buildWorker({ config, database, nats, logger });
try {
  await worker.start();
  await worker.app.listen({ port: config.port, host: config.host });
} catch (err) {
  logger.fatal({ err }, 'worker failed to start');
  process.exit(1);
}
logger.info(
  {
    port: config.port,
    database: redactUrl(config.databaseUrl),
    nats: redactNatsUrl(config.natsUrl),
  },
  'worker running',
);

onShutdownSignal(
  async () => {
    await worker.app.close();
    await worker.stop();
    unwatch();
    await nats.drain();
    await database.close();
  },
  {
    deadlineMs: config.timings.shutdownDeadlineMs + 5000,
    log: (message) => logger.info({}, message),
  },
);
