import type { Database } from '../client.js';
import { tagFollows } from '../schema/index.js';
import { ensureTag } from './tag-rows.js';
import { withTransaction } from '../transaction.js';

/**
 * Follows a hashtag (created if nobody used it yet); following twice changes nothing. Only the
 * follower's own home timeline depends on it, so no event is written.
 */
export async function followTag(
  database: Database,
  input: { accountId: string; name: string },
): Promise<{ tagId: string; name: string }> {
  return withTransaction(database, async (tx) => {
    const tag = await ensureTag(tx, input.name);
    await tx
      .insert(tagFollows)
      .values({ accountId: input.accountId, tagId: tag.id })
      .onConflictDoNothing();
    return { tagId: tag.id, name: tag.name };
  });
}
