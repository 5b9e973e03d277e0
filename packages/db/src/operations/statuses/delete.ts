import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { accounts, statuses } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import type { StatusActionInput, StatusRecord } from './visible.js';

/**
 * Deletes (softly) one's own status; counters follow. A reblog (wrapper) deleted this way is an
 * undone reblog and writes ReblogUndone; any other status writes StatusDeleted, naming the reblogs
 * of it that went with it. Returns the deleted row, whose text Mastodon clients use for "delete and
 * redraft". The notifications about it are the worker's to remove.
 */
export async function deleteStatus(
  database: Database,
  input: StatusActionInput,
): Promise<StatusRecord> {
  return withTransaction(database, async (tx) => {
    if (!isSnowflakeId(input.statusId)) throw new DomainError('StatusNotFound', 'Record not found');
    const [status] = await tx
      .select()
      .from(statuses)
      .where(and(eq(statuses.id, input.statusId), isNull(statuses.deletedAt)))
      .for('update')
      .limit(1);
    if (!status) throw new DomainError('StatusNotFound', 'Record not found');
    if (status.accountId !== input.accountId) {
      throw new DomainError('NotAllowed', 'This action is not allowed');
    }
    const now = new Date();
    await tx.update(statuses).set({ deletedAt: now }).where(eq(statuses.id, status.id));
    await tx
      .update(accounts)
      .set({ statusesCount: sql`greatest(${accounts.statusesCount} - 1, 0)` })
      .where(eq(accounts.id, status.accountId));
    if (status.inReplyToId) {
      await tx
        .update(statuses)
        .set({ repliesCount: sql`greatest(${statuses.repliesCount} - 1, 0)` })
        .where(eq(statuses.id, status.inReplyToId));
    }
    if (status.reblogOfId) {
      const [original] = await tx
        .update(statuses)
        .set({ reblogsCount: sql`greatest(${statuses.reblogsCount} - 1, 0)` })
        .where(eq(statuses.id, status.reblogOfId))
        .returning({ accountId: statuses.accountId });
      const event = newEvent(
        'ReblogUndone',
        {
          statusId: status.reblogOfId,
          statusAccountId: original!.accountId,
          accountId: status.accountId,
          reblogId: status.id,
        },
        input.requestId,
      );
      await tx.execute(outboxInsert([event]));
    } else {
      const reblogs = await tx
        .update(statuses)
        .set({ deletedAt: now })
        .where(and(eq(statuses.reblogOfId, status.id), isNull(statuses.deletedAt)))
        .returning({ id: statuses.id, accountId: statuses.accountId });
      for (const reblog of reblogs) {
        await tx
          .update(accounts)
          .set({ statusesCount: sql`greatest(${accounts.statusesCount} - 1, 0)` })
          .where(eq(accounts.id, reblog.accountId));
      }
      const event = newEvent(
        'StatusDeleted',
        {
          statusId: status.id,
          accountId: status.accountId,
          visibility: status.visibility,
          inReplyToId: status.inReplyToId,
          reblogIds: reblogs.map((r) => r.id),
        },
        input.requestId,
      );
      await tx.execute(outboxInsert([event]));
    }
    return { ...status, deletedAt: now };
  });
}
