import type { Database } from '../client.js';
import { bookmarks } from '../schema/index.js';
import { resolveStatusTarget } from './statuses/index.js';

/**
 * Bookmarks a status the account can see (a reblog's original); bookmarking twice changes nothing.
 * Bookmarks are private to their owner, so no event is written (ARCHITECTURE.md, "Events").
 */
export async function bookmarkStatus(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<{ id: string }> {
  const target = await resolveStatusTarget(database.primary, input.statusId, input.accountId);
  await database.primary
    .insert(bookmarks)
    .values({ accountId: input.accountId, statusId: target.id })
    .onConflictDoNothing();
  return { id: target.id };
}
