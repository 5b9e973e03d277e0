import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import type { ScheduledStatusParams } from '../schema/index.js';
import { MEDIA_JSON } from './media.js';
import { selectPage, type Page } from './pagination.js';
import type { MediaView } from './views.js';

/** A status waiting to be posted, as its author sees it. */
export interface ScheduledStatusView {
  id: string;
  scheduledAt: Date;
  params: ScheduledStatusParams;
  /** The attachments it reserved, in order. */
  mediaAttachments: MediaView[];
}

type ScheduledRow = Omit<ScheduledStatusView, 'scheduledAt'> & { scheduledAt: string | Date };

const SCHEDULED_COLUMNS = sql`s.id::text as "id", s.scheduled_at as "scheduledAt", s.params,
  coalesce((select json_agg(${MEDIA_JSON} order by array_position(
      array(select jsonb_array_elements_text(s.params->'mediaIds'))::bigint[], m.id))
    from media_attachments m where m.scheduled_status_id = s.id), '[]'::json) as "mediaAttachments"`;

function toView(row: ScheduledRow): ScheduledStatusView {
  return { ...row, scheduledAt: new Date(row.scheduledAt) };
}

/** One of the account's scheduled statuses, or null. */
export async function findScheduledStatus(
  executor: Executor,
  accountId: string,
  scheduledStatusId: string,
): Promise<ScheduledStatusView | null> {
  if (!isSnowflakeId(scheduledStatusId)) return null;
  const [row] = await queryRows<ScheduledRow>(
    executor,
    sql`select ${SCHEDULED_COLUMNS} from scheduled_statuses s
      where s.id = ${scheduledStatusId} and s.account_id = ${accountId}`,
  );
  return row ? toView(row) : null;
}

/** The account's scheduled statuses, newest first, paged by id as Mastodon pages them. */
export async function listScheduledStatuses(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<ScheduledStatusView[]> {
  const rows = await selectPage<ScheduledRow>(
    executor,
    sql`select ${SCHEDULED_COLUMNS} from scheduled_statuses s`,
    sql`s.id`,
    [sql`s.account_id = ${accountId}`],
    page,
  );
  return rows.map(toView);
}
