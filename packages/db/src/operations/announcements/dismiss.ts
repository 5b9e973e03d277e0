import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { announcementNotFound } from './publish.js';

/**
 * Marks an announcement read for the account (it stays listed, `read: true`). Only its owner sees
 * the mark, so no event is written (as for bookmarks, ARCHITECTURE.md "Events").
 */
export async function dismissAnnouncement(
  database: Database,
  input: { accountId: string; announcementId: string },
): Promise<void> {
  if (!isSnowflakeId(input.announcementId)) throw announcementNotFound();
  const [row] = await queryRows<{ exists: boolean }>(
    database.primary,
    sql`with dismissed as (
        insert into announcement_dismissals (announcement_id, account_id)
        select id, ${input.accountId} from announcements where id = ${input.announcementId}
        on conflict do nothing
      )
      select exists (select 1 from announcements where id = ${input.announcementId}) as exists`,
  );
  if (!row?.exists) throw announcementNotFound();
}
