import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { bookmarks } from '../schema/index.js';
import { resolveStatusTarget } from './statuses/index.js';

/** Removes a bookmark (none is fine). Private to its owner: no event. */
export async function unbookmarkStatus(
  database: Database,
  input: { accountId: string; statusId: string },
): Promise<{ id: string }> {
  const target = await resolveStatusTarget(database.primary, input.statusId, input.accountId);
  await database.primary
    .delete(bookmarks)
    .where(and(eq(bookmarks.accountId, input.accountId), eq(bookmarks.statusId, target.id)));
  return { id: target.id };
}
