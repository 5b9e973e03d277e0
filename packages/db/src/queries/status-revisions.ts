import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import type { MediaView } from './views.js';

/** One revision of a status: what it said at `createdAt`. */
export interface StatusRevisionView {
  text: string;
  spoilerText: string;
  sensitive: boolean;
  /** The poll's option titles at this revision; null without a poll. */
  pollOptions: string[] | null;
  /** The attachments at this revision; null when not recorded (revisions older than media edits). */
  media: MediaView[] | null;
  /** A remote status's sanitized HTML at this revision; null for local statuses. */
  contentHtml: string | null;
  createdAt: Date;
}

/**
 * The stored revisions of a status, oldest (the original) first; empty when it was never edited.
 * The caller checks the reader may see the status.
 */
export async function statusRevisions(
  executor: Executor,
  statusId: string,
): Promise<StatusRevisionView[]> {
  if (!isSnowflakeId(statusId)) return [];
  const rows = await queryRows<
    Omit<StatusRevisionView, 'createdAt'> & { createdAt: string | Date }
  >(
    executor,
    sql`select e.text, e.spoiler_text as "spoilerText", e.sensitive, e.poll_options as "pollOptions",
        e.media, e.content_html as "contentHtml",
        e.created_at as "createdAt"
      from status_edits e where e.status_id = ${statusId} order by e.id`,
    { prepared: true },
  );
  return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }));
}
