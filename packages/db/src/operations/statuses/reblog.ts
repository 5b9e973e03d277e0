import { and, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError, isDomainError } from '../../errors.js';
import { statuses, type Visibility } from '../../schema/index.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { deleteStatus } from './delete.js';
import { resolveStatusTarget, type StatusActionInput, type StatusTarget } from './visible.js';

async function liveReblogOf(database: Database, accountId: string, targetId: string) {
  const [wrapper] = await database.primary
    .select({ id: statuses.id })
    .from(statuses)
    .where(
      and(
        eq(statuses.accountId, accountId),
        eq(statuses.reblogOfId, targetId),
        isNull(statuses.deletedAt),
      ),
    )
    .limit(1);
  return wrapper ?? null;
}

/**
 * Reblogs (boosts) a public or unlisted status and writes StatusReblogged; returns the wrapper
 * status. Reblogging twice returns the existing wrapper and writes nothing. Two statements: the
 * target's resolution (with the wrapper's id), then one write (wrapper, counters and event, or none).
 */
export async function reblogStatus(
  database: Database,
  input: StatusActionInput & { visibility?: Visibility },
): Promise<{ id: string }> {
  const target = await resolveStatusTarget(database.primary, input.statusId, input.accountId, {
    allocateId: true,
  });
  if (target.visibility !== 'public' && target.visibility !== 'unlisted') {
    throw new DomainError('NotAllowed', 'This action is not allowed');
  }
  const visibility =
    input.visibility === 'unlisted' || input.visibility === 'private' ? input.visibility : 'public';
  const reblogId = target.newId!;
  const event = newEvent(
    'StatusReblogged',
    {
      statusId: target.id,
      statusAccountId: target.accountId,
      accountId: input.accountId,
      reblogId,
      visibility,
    },
    input.requestId,
  );
  const [row] = await queryRows<{ id: string | null }>(
    database.primary,
    sql`with existing as (
          select id from statuses
          where account_id = ${input.accountId} and reblog_of_id = ${target.id} and deleted_at is null
        ), inserted as (
          insert into statuses (id, account_id, text, visibility, reblog_of_id)
          select ${reblogId}, ${input.accountId}, '', ${visibility}, s.id from statuses s
          where s.id = ${target.id} and s.deleted_at is null and not exists (select 1 from existing)
          -- A concurrent reblog by the same account may win (one live reblog per account).
          on conflict do nothing
          returning id
        ), counted as (
          update statuses set reblogs_count = reblogs_count + 1
          where id = ${target.id} and exists (select 1 from inserted)
        ), authored as (
          update accounts set statuses_count = statuses_count + 1
          where id = ${input.accountId} and exists (select 1 from inserted)
        ), events as (${outboxInsert([event], sql`exists (select 1 from inserted)`)})
        select coalesce((select id from inserted), (select id from existing))::text as id`,
    { prepared: true },
  );
  if (row?.id) return { id: row.id };
  // The concurrent reblog that won, or the target was deleted meanwhile.
  const raced = await liveReblogOf(database, input.accountId, target.id);
  if (!raced) throw new DomainError('StatusNotFound', 'Record not found');
  return raced;
}

/**
 * Undoes a reblog (ReblogUndone, written by `deleteStatus` of the wrapper); returns the original.
 * Unreblogging what was not reblogged changes nothing and writes no event.
 */
export async function unreblogStatus(
  database: Database,
  input: StatusActionInput,
): Promise<StatusTarget> {
  const target = await resolveStatusTarget(database.primary, input.statusId, input.accountId);
  const wrapper = await liveReblogOf(database, input.accountId, target.id);
  if (wrapper) {
    await deleteStatus(database, {
      accountId: input.accountId,
      statusId: wrapper.id,
      requestId: input.requestId,
    }).catch((error: unknown) => {
      // Undone concurrently since it was found: nothing left to undo.
      if (!isDomainError(error, 'StatusNotFound')) throw error;
    });
  }
  return target;
}
