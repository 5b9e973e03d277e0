import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { resolveStatusTarget, type StatusActionInput, type StatusTarget } from './visible.js';

/**
 * Favourites a status the account can see (the original, for a reblog) and writes
 * StatusFavourited; favouriting twice changes nothing and writes no event. Two statements: the
 * target's resolution, then one write (favourite, counter and event, or none of them). The
 * notification is the worker's (see `notify.ts`).
 */
export async function favouriteStatus(
  database: Database,
  input: StatusActionInput,
): Promise<StatusTarget> {
  const target = await resolveStatusTarget(database.primary, input.statusId, input.accountId);
  const event = newEvent(
    'StatusFavourited',
    { statusId: target.id, statusAccountId: target.accountId, accountId: input.accountId },
    input.requestId,
  );
  await queryRows(
    database.primary,
    sql`with inserted as (
          insert into favourites (account_id, status_id)
          select ${input.accountId}, s.id from statuses s
          where s.id = ${target.id} and s.deleted_at is null
          on conflict do nothing
          returning 1
        ), counted as (
          update statuses set favourites_count = favourites_count + 1
          where id = ${target.id} and exists (select 1 from inserted)
        ), events as (${outboxInsert([event], sql`exists (select 1 from inserted)`)})
        select 1`,
    { prepared: true },
  );
  return target;
}

/** Takes a favourite back and writes StatusUnfavourited; nothing (and no event) when there was none. */
export async function unfavouriteStatus(
  database: Database,
  input: StatusActionInput,
): Promise<StatusTarget> {
  const target = await resolveStatusTarget(database.primary, input.statusId, input.accountId);
  const event = newEvent(
    'StatusUnfavourited',
    { statusId: target.id, statusAccountId: target.accountId, accountId: input.accountId },
    input.requestId,
  );
  await queryRows(
    database.primary,
    sql`with removed as (
          delete from favourites
          where account_id = ${input.accountId} and status_id = ${target.id}
          returning 1
        ), counted as (
          update statuses set favourites_count = greatest(favourites_count - 1, 0)
          where id = ${target.id} and exists (select 1 from removed)
        ), events as (${outboxInsert([event], sql`exists (select 1 from removed)`)})
        select 1`,
    { prepared: true },
  );
  return target;
}
