/**
 * A benchmark's own database: named after the benchmark, on the server the run points at, created
 * the first time and migrated to the current schema every time (a run after a migration measures
 * the new schema).
 */
import { createDatabaseIfMissing, migrateDatabase } from '@murmur/db';
import pg from 'pg';

/** The database `name` on the server of `serverUrl`, migrated, and a client connected to it. */
export async function openBenchDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; client: pg.Client }> {
  const address = new URL(serverUrl);
  address.pathname = `/${name}`;
  const url = address.toString();
  await createDatabaseIfMissing(url);
  await migrateDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return { url, client };
}
