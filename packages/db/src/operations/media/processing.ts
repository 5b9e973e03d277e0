/** The worker's side of an upload: what to process, and the outcome. */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { mediaRejectedAt } from '../../queries/instance-domain-blocks.js';
import type { MediaMeta } from '../../schema/index.js';

/** Where the file to process is: an upload in storage, or another server's attachment. */
export type PendingMedia = { id: string; accountId: string } & (
  | { incomingKey: string; remoteUrl: null; mediaRejectedFrom: null }
  | {
      incomingKey: null;
      remoteUrl: string;
      /**
       * The owner's domain when an instance domain block rejects its media (`reject_media`, or a
       * suspension): the file is not fetched.
       */
      mediaRejectedFrom: string | null;
    }
);

/**
 * The upload (or remote attachment) if it still waits to be processed (null: gone, or processed
 * already).
 */
export async function findPendingMedia(
  database: Database,
  mediaId: string,
): Promise<PendingMedia | null> {
  if (!isSnowflakeId(mediaId)) return null;
  const [row] = await queryRows<PendingMedia>(
    database.primary,
    sql`select m.id::text as "id", m.account_id::text as "accountId",
        m.incoming_key as "incomingKey",
        case when m.incoming_key is null then m.remote_url end as "remoteUrl",
        case when m.incoming_key is null and ${mediaRejectedAt(sql`a.domain`)}
          then a.domain end as "mediaRejectedFrom"
      from media_attachments m join accounts a on a.id = m.account_id
      where m.id = ${mediaId} and m.processing = 'pending'
        and (m.incoming_key is not null or m.remote_url is not null)`,
    { prepared: true },
  );
  return row ?? null;
}

export interface ProcessedMedia {
  mediaId: string;
  originalKey: string;
  smallKey: string;
  meta: MediaMeta;
  blurhash: string;
}

/**
 * Records the processed files. False when the upload is no longer pending (deleted meanwhile, or
 * processed by a concurrent delivery): the caller's files are then not used by this row.
 */
export async function markMediaProcessed(
  database: Database,
  input: ProcessedMedia,
): Promise<boolean> {
  const rows = await queryRows(
    database.primary,
    sql`update media_attachments
      set processing = 'processed', original_key = ${input.originalKey}, small_key = ${input.smallKey},
        meta = ${JSON.stringify(input.meta)}::jsonb, blurhash = ${input.blurhash},
        incoming_key = null, processed_at = now()
      where id = ${input.mediaId} and processing = 'pending'
      returning id`,
  );
  return rows.length > 0;
}

/** Records that the file was refused, with the reason a person will read. */
export async function markMediaFailed(
  database: Database,
  input: { mediaId: string; reason: string },
): Promise<boolean> {
  const rows = await queryRows(
    database.primary,
    sql`update media_attachments
      set processing = 'failed', failure_reason = ${input.reason.slice(0, 500)},
        incoming_key = null, processed_at = now()
      where id = ${input.mediaId} and processing = 'pending'
      returning id`,
  );
  return rows.length > 0;
}

/** Whether the attachment still exists (a processing that lost a race checks before cleaning up). */
export async function mediaExists(database: Database, mediaId: string): Promise<boolean> {
  if (!isSnowflakeId(mediaId)) return false;
  const rows = await queryRows(
    database.primary,
    sql`select 1 from media_attachments where id = ${mediaId}`,
  );
  return rows.length > 0;
}
