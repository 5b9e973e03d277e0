import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { forOneRequest } from './one-request.js';

/**
 * Accepts some of a person's notification requests, in one statement: each sender is allowed from
 * now on (never filtered again), the request's notifications join the ordinary list where they
 * belong in time, and the request is gone. Unknown ids (or other people's) are skipped, as
 * Mastodon's bulk accept does; returns how many were accepted. Private to the person: no event
 * (nor a streaming or Web Push announcement for the released notifications, as Mastodon).
 */
export async function acceptNotificationRequests(
  database: Database,
  accountId: string,
  requestIds: readonly string[],
): Promise<number> {
  const ids = requestIds.filter(isSnowflakeId);
  if (ids.length === 0) return 0;
  const rows = await queryRows<{ from_account_id: string }>(
    database.primary,
    sql`with accepted as (
        delete from notification_requests r
        where r.account_id = ${accountId} and r.id = any(${sql.param(ids)}::bigint[])
        returning r.account_id, r.from_account_id
      ),
      allowed as (
        insert into notification_permissions (account_id, from_account_id)
        select account_id, from_account_id from accepted order by from_account_id
        on conflict do nothing
        returning 1
      ),
      released as (
        update notifications n set filtered = false
        from accepted a
        where n.account_id = a.account_id and n.from_account_id = a.from_account_id and n.filtered
        returning 1
      )
      select from_account_id::text from accepted`,
  );
  return rows.length;
}

/** Accepts one request; NotificationNotFound when it is not one of the person's. */
export const acceptNotificationRequest = forOneRequest(acceptNotificationRequests);
