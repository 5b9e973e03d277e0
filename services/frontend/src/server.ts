import { createDatabase } from '@murmur/db';
import { createLogger, onShutdownSignal } from '@murmur/service-kit';
import { buildApp } from './app.js';
import { ConfigurationError, loadConfig } from './config.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger({ service: 'frontend', level: config.logLevel });
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
