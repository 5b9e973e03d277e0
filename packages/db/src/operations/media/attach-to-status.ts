/**
 * Attaching media to a new status (called by `createStatus`): which ids may be attached, and the
 * part of the status's write that attaches them.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { MEDIA_JSON } from '../../queries/media.js';
import type { MediaView } from '../../queries/views.js';

export const MAX_MEDIA_PER_STATUS = 4;

function refused(message: string): DomainError {
  return new DomainError('InvalidField', message, 'media_ids');
}

/** `media_ids` as given, without repeats, checked for shape and count. */
export function requestedMediaIds(ids: readonly string[] | undefined): string[] {
  const unique = [...new Set(ids ?? [])];
  if (unique.length > MAX_MEDIA_PER_STATUS) {
    throw refused(`A post can have at most ${MAX_MEDIA_PER_STATUS} attachments`);
  }
  for (const id of unique) {
    if (!isSnowflakeId(id)) throw refused(`Media attachment ${JSON.stringify(id)} was not found`);
  }
  return unique;
}

/**
 * Locks the attachments (inside the status's transaction, so no other post takes them meanwhile)
 * and checks each is the poster's own, not attached yet and processed. Returns them in order.
 */
export async function lockAttachableMedia(
  tx: Executor,
  accountId: string,
  mediaIds: readonly string[],
  /** The scheduled status being posted, whose reserved attachments these may be. */
  reservedBy: string | null = null,
): Promise<MediaView[]> {
  if (mediaIds.length === 0) return [];
  const rows = await queryRows<{
    media: MediaView;
    accountId: string;
    scheduledStatusId: string | null;
  }>(
    tx,
    sql`select ${MEDIA_JSON} as "media", m.account_id::text as "accountId",
        m.scheduled_status_id::text as "scheduledStatusId"
      from media_attachments m where m.id = any(${sql.param(mediaIds)}::bigint[])
      order by m.id for update`,
  );
  const found = new Map(rows.map((row) => [row.media.id, row]));
  return mediaIds.map((id) => {
    const row = found.get(id);
    // Someone else's upload is "not found": ids of others' files are not confirmed to exist.
    if (!row || row.accountId !== accountId) {
      throw refused(`Media attachment ${id} was not found among your uploads`);
    }
    const { media } = row;
    if (media.statusId !== null) throw refused(`Media attachment ${id} is already in a post`);
    if (row.scheduledStatusId !== null && row.scheduledStatusId !== reservedBy) {
      throw refused(`Media attachment ${id} is already in a scheduled post`);
    }
    if (media.processing === 'pending') {
      throw refused(`Media attachment ${id} is still being processed; try again in a moment`);
    }
    if (media.processing === 'failed') {
      throw refused(
        `Media attachment ${id} could not be processed: ${media.failureReason ?? 'unknown error'}`,
      );
    }
    return media;
  });
}

/**
 * The writable CTE attaching `media` to the status inserted by the CTE named `inserted`, each at
 * its place in the list. Always present (an empty list updates nothing) so the statement's text,
 * and its prepared plan, stays the same with and without media.
 */
export function attachMediaStatement(media: readonly MediaView[]): SQL {
  return sql`update media_attachments m
    set status_id = inserted.id, position = wanted.ord - 1, scheduled_status_id = null
    from inserted, unnest(${sql.param(media.map((m) => m.id))}::bigint[]) with ordinality as wanted(id, ord)
    where m.id = wanted.id`;
}

/** The attachments as the new status shows them. */
export function attachedViews(media: readonly MediaView[], statusId: string): MediaView[] {
  return media.map((m) => ({ ...m, statusId }));
}
