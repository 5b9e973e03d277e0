/**
 * Read-your-writes across API processes (see `schema/read-routing.ts`): after a person's write, the
 * API records when, so that the token lookup of their next request, on whichever process, sends its
 * reads to the primary.
 */
import { sql } from 'drizzle-orm';
import { READ_YOUR_WRITES_WINDOW_MS, type Database } from '../client.js';
import { accountWriteMarks } from '../schema/index.js';

/**
 * A mark is refreshed at most this often per account (a burst of writes is one upsert a second);
 * the window the token lookup checks is longer by as much, so a write just after a refresh that was
 * skipped is still covered for the whole {@link READ_YOUR_WRITES_WINDOW_MS}.
 */
export const WRITE_MARK_REFRESH_MS = 1_000;
export const READ_YOUR_WRITES_MARK_WINDOW_MS = READ_YOUR_WRITES_WINDOW_MS + WRITE_MARK_REFRESH_MS;

/** Records that the account wrote now (on the primary; times are the database's own clock). */
export async function markAccountWrote(database: Database, accountId: string): Promise<void> {
  await database.primary
    .insert(accountWriteMarks)
    .values({ accountId, wroteAt: sql`now()` })
    .onConflictDoUpdate({
      target: accountWriteMarks.accountId,
      set: { wroteAt: sql`now()` },
      setWhere: sql`${accountWriteMarks.wroteAt} < now() - ${sql.raw(`interval '${WRITE_MARK_REFRESH_MS} milliseconds'`)}`,
    });
}
