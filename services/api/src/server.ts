/**
 * The API's entry point: read the configuration, connect to the database, make sure the website's
 * OAuth client exists, listen, and close everything on SIGINT/SIGTERM.
 */
import { createDatabase } from '@murmur/db';
import { ensureFirstPartyApplication } from '@murmur/db/auth';
import {
  createLogger,
  runtimeInfo,
  loadConfigOrExit,
  onShutdownSignal,
  redactUrl,
} from '@murmur/service-kit';
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { natsEventFeed } from './streaming/feed.js';

const config = loadConfigOrExit(() => readConfig());
const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
logger.info(runtimeInfo(), 'api starting');
const database = createDatabase({
  url: config.DATABASE_URL,
  readReplicaUrl: config.DATABASE_READ_URL,
  applicationName: 'murmur-api',
  onError: (error) => logger.warn({ err: error }, 'database connection error'),
});

await ensureFirstPartyApplication(database, {
  clientId: config.WEB_CLIENT_ID,
  clientSecret: config.WEB_CLIENT_SECRET,
  name: config.INSTANCE_TITLE,
  redirectUris: [config.webRedirectUri],
  scopes: ['read', 'write', 'follow', 'profile'],
});

// The streaming fan-out's own connections: its statements run on generic plans from the first
// event (no five custom plans per connection after each start), and REST cannot take them. Eight:
// two audience statements in flight, each with the status's hydration beside it, two of the
// followers question (`statement-batch.ts`), and two for the rest (a notification, a list, an edit).
const streamingDatabase = createDatabase({
  url: config.DATABASE_URL,
  poolSize: 8,
  plans: 'generic',
  applicationName: 'murmur-api-streaming',
  onError: (error) => logger.warn({ err: error }, 'database connection error (streaming)'),
});

// The streaming API's events; connecting happens in the background, so REST serves without NATS.
const feed = natsEventFeed({
  url: config.NATS_URL,
  auth: config.natsAuth,
  subjectPrefix: config.NATS_SUBJECT_PREFIX,
  logger: logger.child({ component: 'streaming' }),
});
const app = await buildApp({
  config,
  database,
  logger,
  streaming: { feed, database: streamingDatabase },
});
await app.listen({ host: config.HOST, port: config.API_PORT });
logger.info(
  {
    database: redactUrl(config.DATABASE_URL),
    readReplica: config.DATABASE_READ_URL ? redactUrl(config.DATABASE_READ_URL) : undefined,
    publicUrl: config.publicOrigin,
  },
  'api ready',
);

onShutdownSignal(
  async () => {
    await app.close();
    await Promise.all([database.close(), streamingDatabase.close()]);
  },
  { log: (message) => logger.info(message) },
);
