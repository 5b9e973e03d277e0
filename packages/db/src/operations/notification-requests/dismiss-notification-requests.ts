import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { forOneRequest } from './one-request.js';

/**
 * Dismisses some of a person's notification requests, in one statement: the request and the
 * notifications it held are deleted (a later filtered notification from the same sender opens a
 * new request, as in Mastodon). Unknown ids are skipped; returns how many were dismissed.
 */
export async function dismissNotificationRequests(
  database: Database,
  accountId: string,
  requestIds: readonly string[],
): Promise<number> {
  const ids = requestIds.filter(isSnowflakeId);
  if (ids.length === 0) return 0;
  const rows = await queryRows<{ from_account_id: string }>(
    database.primary,
    sql`with dismissed as (
        delete from notification_requests r
        where r.account_id = ${accountId} and r.id = any(${sql.param(ids)}::bigint[])
        returning r.account_id, r.from_account_id
      ),
      discarded as (
        delete from notifications n
        using dismissed d
        where n.account_id = d.account_id and n.from_account_id = d.from_account_id and n.filtered
        returning 1
      )
      select from_account_id::text from dismissed`,
  );
  return rows.length;
}

/** Dismisses one request; NotificationNotFound when it is not one of the person's. */
export const dismissNotificationRequest = forOneRequest(dismissNotificationRequests);
