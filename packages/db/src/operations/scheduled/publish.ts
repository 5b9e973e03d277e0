/**
 * The worker's publishing of scheduled statuses. Each due one is claimed with `SKIP LOCKED`, posted
 * through `createStatusInTransaction` (every rule of posting, PostCreated and the mentions' events)
 * and deleted, all in one transaction: posted exactly once however many workers run the job. One
 * that can no longer be posted (its reply target or an attachment is gone, the rules changed) is
 * dropped, as Mastodon does, rather than retried for ever.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../../client.js';
import { isDomainError } from '../../errors.js';
import type { ScheduledStatusParams } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { createStatusInTransaction, type CreateStatusOptions } from '../statuses/create.js';

interface DueRow {
  id: string;
  accountId: string;
  params: ScheduledStatusParams;
}

async function claimOne(tx: Executor): Promise<DueRow | null> {
  const [row] = await queryRows<DueRow>(
    tx,
    sql`select id::text as "id", account_id::text as "accountId", params
      from scheduled_statuses where scheduled_at <= now()
      order by scheduled_at limit 1
      for update skip locked`,
  );
  return row ?? null;
}

async function remove(tx: Executor, id: string): Promise<void> {
  await tx.execute(sql`delete from scheduled_statuses where id = ${id}`);
}

export interface ScheduledPublishOutcome {
  /** Ids of the statuses posted. */
  published: string[];
  /** Scheduled statuses dropped because they could no longer be posted, with the reason. */
  dropped: { scheduledStatusId: string; reason: string }[];
}

/** Posts up to `limit` scheduled statuses that are due, one transaction each. */
export async function publishDueScheduledStatuses(
  database: Database,
  options: CreateStatusOptions & { limit?: number } = {},
): Promise<ScheduledPublishOutcome> {
  const outcome: ScheduledPublishOutcome = { published: [], dropped: [] };
  for (let i = 0; i < (options.limit ?? 100); i++) {
    let refused: { id: string; reason: string } | null = null;
    const done = await withTransaction(database, async (tx) => {
      const due = await claimOne(tx);
      if (!due) return false;
      const { params } = due;
      try {
        // A savepoint, so that a status the rules refuse leaves the claim usable for the drop.
        await tx.execute(sql`savepoint publishing`);
        const created = await createStatusInTransaction(
          tx,
          {
            accountId: due.accountId,
            text: params.text,
            visibility: params.visibility,
            spoilerText: params.spoilerText,
            ...(params.sensitive === null ? {} : { sensitive: params.sensitive }),
            language: params.language,
            inReplyToId: params.inReplyToId,
            applicationId: params.applicationId,
            mediaIds: params.mediaIds,
            poll: params.poll,
          },
          { ...options, reservedBy: due.id },
        );
        await remove(tx, due.id);
        outcome.published.push(created.id);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        await tx.execute(sql`rollback to savepoint publishing`);
        await remove(tx, due.id);
        refused = { id: due.id, reason: error.message };
      }
      return true;
    });
    if (refused !== null) {
      const { id, reason } = refused;
      outcome.dropped.push({ scheduledStatusId: id, reason });
    }
    if (!done) break;
  }
  return outcome;
}
