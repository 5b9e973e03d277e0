/**
 * `pnpm murmurctl …` at the repository root: the operator's command line (see `commands.ts` and the
 * README). Reads DATABASE_URL (and BCRYPT_COST) like the services.
 */
import { createDatabase, type Database } from '@murmur/db';
import { ConfigurationError } from '@murmur/service-kit';
import { EXIT, runMurmurctl } from './commands.js';
import { loadCliConfig } from './config.js';

async function main(): Promise<number> {
  let database: Database | null = null;
  try {
    return await runMurmurctl(
      process.argv.slice(2),
      {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      },
      () => {
        const env = loadCliConfig();
        database = createDatabase({
          url: env.databaseUrl,
          poolSize: 2,
          connectionTimeoutMs: 5_000,
          applicationName: 'murmurctl',
        });
        return { database, bcryptCost: env.bcryptCost, localDomain: env.localDomain };
      },
    );
  } catch (error) {
    process.stderr.write(
      error instanceof ConfigurationError
        ? `murmurctl: ${error.message}\n`
        : `murmurctl: the database is not available: ${(error as Error).message}\n`,
    );
    return EXIT.unavailable;
  } finally {
    await (database as Database | null)?.close();
  }
}

process.exitCode = await main();
