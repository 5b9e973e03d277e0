import { normalizeHashtag } from '@murmur/text';
import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';

/** Stops following a hashtag (not followed, or unknown, is fine). Private to the follower: no event. */
export async function unfollowTag(
  database: Database,
  input: { accountId: string; name: string },
): Promise<void> {
  const name = normalizeHashtag(input.name.trim().replace(/^#/, ''));
  await database.primary.execute(
    sql`delete from tag_follows
      where account_id = ${input.accountId} and tag_id = (select id from tags where name = ${name})`,
  );
}
