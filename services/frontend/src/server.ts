import { createDatabase } from '@murmur/db';
import { createLogger, runtimeInfo, loadConfigOrExit, onShutdownSignal } from '@murmur/service-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfigOrExit(loadConfig);

const logger = createLogger({ service: 'frontend', level: config.logLevel });
logger.info(runtimeInfo(), 'frontend starting');
const database = createDatabase({
  url: config.databaseUrl,
  readReplicaUrl: config.databaseReadUrl,
  applicationName: 'murmur-frontend',
  onError: (error) => logger.warn({ err: error }, 'database connection error'),
});
const app = await buildApp({ config, database, logger });
await app.listen({ host: config.host, port: config.port });

onShutdownSignal(async () => {
  await app.close();
  await database.close();
});
