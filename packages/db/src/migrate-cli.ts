/** `pnpm db:migrate`: creates the database if needed and applies migrations to DATABASE_URL. */
import { createDatabaseIfMissing, migrateDatabase } from './migrate.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/murmur';
try {
  if (await createDatabaseIfMissing(url)) console.log('created database');
  await migrateDatabase(url);
  console.log('migrations applied');
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
