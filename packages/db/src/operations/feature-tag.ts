import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { DomainError } from '../errors.js';
import { accounts, featuredTags } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { newEvent, outboxInsert } from './outbox.js';
import { ensureTag } from './tag-rows.js';

/** Mastodon's limit, announced as `configuration.accounts.max_featured_tags`. */
export const MAX_FEATURED_TAGS = 10;

/**
 * Features a hashtag on the account's profile (created if nobody used it yet), at most
 * `MAX_FEATURED_TAGS`. Featuring twice changes nothing; a new one writes TagFeatured.
 */
export async function featureTag(
  database: Database,
  input: { accountId: string; name: string; requestId?: string | null },
): Promise<{ featuredTagId: string; tagId: string }> {
  return withTransaction(database, async (tx) => {
    const tag = await ensureTag(tx, input.name);
    await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, input.accountId))
      .for('update');
    const existing = await tx
      .select({ id: featuredTags.id, tagId: featuredTags.tagId })
      .from(featuredTags)
      .where(eq(featuredTags.accountId, input.accountId));
    const already = existing.find((f) => f.tagId === tag.id);
    if (already) return { featuredTagId: already.id, tagId: tag.id };
    if (existing.length >= MAX_FEATURED_TAGS) {
      throw new DomainError(
        'InvalidField',
        `Validation failed: You can feature at most ${MAX_FEATURED_TAGS} hashtags`,
        'name',
      );
    }
    const [created] = await tx
      .insert(featuredTags)
      .values({ accountId: input.accountId, tagId: tag.id })
      .returning({ id: featuredTags.id });
    await tx.execute(
      outboxInsert([
        newEvent('TagFeatured', { accountId: input.accountId, tag: tag.name }, input.requestId),
      ]),
    );
    return { featuredTagId: created!.id, tagId: tag.id };
  });
}
