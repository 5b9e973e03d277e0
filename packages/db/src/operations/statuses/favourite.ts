import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { newEvent, outboxInsert } from '../outbox.js';
import {
  requireStatusId,
  STATUS_TARGET_COLUMNS,
  STATUS_TARGET_EVENT_DATA,
  statusTargetOrNotFound,
  statusTargetSelect,
  type StatusActionInput,
  type StatusTarget,
} from './visible.js';

/**
 * Favourites a status the account can see (the original, for a reblog) and writes
 * StatusFavourited; favouriting twice changes nothing and writes no event. One statement: the
 * target's resolution, the favourite, the counter and the event (or none of them), as posting's
 * write is one. The notification is the worker's (see `notify.ts`).
 */
export async function favouriteStatus(
  database: Database,
  input: StatusActionInput,
): Promise<StatusTarget> {
  requireStatusId(input.statusId);
  // The target's ids are filled in by the statement (`STATUS_TARGET_EVENT_DATA`).
  const event = newEvent(
    'StatusFavourited',
    { statusId: input.statusId, statusAccountId: input.accountId, accountId: input.accountId },
    input.requestId,
  );
  const [target] = await queryRows<StatusTarget>(
    database.primary,
    sql`with target as (${statusTargetSelect(input.statusId, input.accountId)}),
        inserted as (
          insert into favourites (account_id, status_id)
          select ${input.accountId}, target.id from target
          on conflict do nothing
          returning 1
        ), counted as (
          update statuses set favourites_count = favourites_count + 1
          where id = (select id from target) and exists (select 1 from inserted)
        ), events as (${outboxInsert([event], sql`exists (select 1 from inserted)`, STATUS_TARGET_EVENT_DATA)})
        select ${STATUS_TARGET_COLUMNS} from target`,
    { prepared: true },
  );
  return statusTargetOrNotFound(target);
}

/** Takes a favourite back and writes StatusUnfavourited; nothing (and no event) when there was none. */
export async function unfavouriteStatus(
  database: Database,
  input: StatusActionInput,
): Promise<StatusTarget> {
  requireStatusId(input.statusId);
  const event = newEvent(
    'StatusUnfavourited',
    { statusId: input.statusId, statusAccountId: input.accountId, accountId: input.accountId },
    input.requestId,
  );
  const [target] = await queryRows<StatusTarget>(
    database.primary,
    sql`with target as (${statusTargetSelect(input.statusId, input.accountId)}),
        removed as (
          delete from favourites
          where account_id = ${input.accountId} and status_id = (select id from target)
          returning 1
        ), counted as (
          update statuses set favourites_count = greatest(favourites_count - 1, 0)
          where id = (select id from target) and exists (select 1 from removed)
        ), events as (${outboxInsert([event], sql`exists (select 1 from removed)`, STATUS_TARGET_EVENT_DATA)})
        select ${STATUS_TARGET_COLUMNS} from target`,
    { prepared: true },
  );
  return statusTargetOrNotFound(target);
}
