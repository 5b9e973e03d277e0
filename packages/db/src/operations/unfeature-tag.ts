import { normalizeHashtag } from '@murmur/text';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { DomainError } from '../errors.js';
import { isSnowflakeId } from '../ids.js';
import { withTransaction } from '../transaction.js';
import { newEvent, outboxInsert } from './outbox.js';

/**
 * Stops featuring a hashtag, named by the featured tag's id (DELETE /api/v1/featured_tags/:id,
 * which answers 404 for an id that is not the account's) or by the hashtag's name (POST
 * /api/v1/tags/:name/unfeature, where not featured is fine). A removal writes TagUnfeatured.
 */
export async function unfeatureTag(
  database: Database,
  input: { accountId: string; requestId?: string | null } & (
    { featuredTagId: string } | { name: string }
  ),
): Promise<void> {
  await withTransaction(database, async (tx) => {
    let condition;
    if ('featuredTagId' in input) {
      if (!isSnowflakeId(input.featuredTagId)) {
        throw new DomainError('StatusNotFound', 'Record not found');
      }
      condition = sql`f.id = ${input.featuredTagId}`;
    } else {
      const name = normalizeHashtag(input.name.trim().replace(/^#/, ''));
      condition = sql`f.tag_id = (select id from tags where name = ${name})`;
    }
    const removed = await queryRows<{ tag: string }>(
      tx,
      sql`delete from featured_tags f using tags t
        where f.account_id = ${input.accountId} and t.id = f.tag_id and ${condition}
        returning t.name as tag`,
    );
    if (removed.length === 0) {
      if ('featuredTagId' in input) throw new DomainError('StatusNotFound', 'Record not found');
      return;
    }
    await tx.execute(
      outboxInsert([
        newEvent(
          'TagUnfeatured',
          { accountId: input.accountId, tag: removed[0]!.tag },
          input.requestId,
        ),
      ]),
    );
  });
}
