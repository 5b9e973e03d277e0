/**
 * Ending polls: the worker's periodic job claims the polls whose time ran out and writes one
 * PollEnded each (the notify step tells the author and every voter). Claimed with `SKIP LOCKED`
 * and marked in the transaction that writes the event, so each poll ends exactly once however many
 * workers run the job at the same moment.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';

/** Ends up to `limit` polls whose time ran out; returns how many this call ended. */
export async function endDuePolls(
  database: Database,
  options: { limit?: number } = {},
): Promise<number> {
  const limit = options.limit ?? 500;
  return withTransaction(database, async (tx) => {
    const due = await queryRows<{ pollId: string; statusId: string; accountId: string }>(
      tx,
      sql`select p.id::text as "pollId", p.status_id::text as "statusId",
          p.account_id::text as "accountId"
        from polls p
        where p.end_announced_at is null and p.expires_at <= now()
        order by p.expires_at limit ${limit}
        for update skip locked`,
    );
    if (due.length === 0) return 0;
    const events = outboxInsert(due.map((poll) => newEvent('PollEnded', poll, null)));
    await queryRows(
      tx,
      sql`with marked as (
          update polls set end_announced_at = now()
          where id = any(${sql.param(due.map((p) => p.pollId))}::bigint[])
        ), events as (${events})
        select 1`,
    );
    return due.length;
  });
}
