import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { DomainError } from '../errors.js';
import { accounts, statuses, statusPins } from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { newEvent, outboxInsert } from './outbox.js';
import { getVisibleStatus } from './statuses/index.js';

/** Mastodon's limit, announced as `configuration.accounts.max_pinned_statuses`. */
export const MAX_PINNED_STATUSES = 5;

/**
 * Pins one of the account's own public or unlisted statuses to its profile, at most
 * `MAX_PINNED_STATUSES` (counted under a lock on the account, so two pins at once cannot both take
 * the last place). Pinning twice changes nothing; a new pin writes StatusPinned.
 */
export async function pinStatus(
  database: Database,
  input: { accountId: string; statusId: string; requestId?: string | null },
): Promise<{ id: string }> {
  return withTransaction(database, async (tx) => {
    const status = await getVisibleStatus(tx, input.statusId, input.accountId);
    if (status.accountId !== input.accountId) {
      throw new DomainError('InvalidField', 'Validation failed: You can only pin your own posts');
    }
    if (status.reblogOfId !== null) {
      throw new DomainError('InvalidField', 'Validation failed: A boost cannot be pinned');
    }
    if (status.visibility !== 'public' && status.visibility !== 'unlisted') {
      throw new DomainError(
        'InvalidField',
        'Validation failed: Only public and unlisted posts can be pinned',
      );
    }
    await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, input.accountId))
      .for('update');
    const [pinned] = await tx
      .select({
        count: sql<number>`count(*)::int`,
        already: sql<boolean>`bool_or(${statusPins.statusId} = ${status.id})`,
      })
      .from(statusPins)
      .innerJoin(statuses, eq(statuses.id, statusPins.statusId))
      .where(and(eq(statusPins.accountId, input.accountId), isNull(statuses.deletedAt)));
    if (pinned?.already) return { id: status.id };
    if ((pinned?.count ?? 0) >= MAX_PINNED_STATUSES) {
      throw new DomainError(
        'InvalidField',
        `Validation failed: You have already pinned the maximum number of posts (${MAX_PINNED_STATUSES})`,
      );
    }
    const inserted = await tx
      .insert(statusPins)
      .values({ accountId: input.accountId, statusId: status.id })
      .onConflictDoNothing()
      .returning({ id: statusPins.id });
    if (inserted.length > 0) {
      await tx.execute(
        outboxInsert([
          newEvent(
            'StatusPinned',
            { accountId: input.accountId, statusId: status.id },
            input.requestId,
          ),
        ]),
      );
    }
    return { id: status.id };
  });
}
