/**
 * Time for polls in tests: a poll's end moved to now, as if its time had run out, so the worker's
 * periodic job ends it (tests cannot wait the five minutes a poll lasts at least).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';

export async function runOutPoll(database: Database, pollId: string): Promise<void> {
  await queryRows(
    database.primary,
    sql`update polls set expires_at = now() where id = ${pollId} returning 1`,
  );
}
