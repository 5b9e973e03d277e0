import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import type { MediaView } from './views.js';

/** The attachment `m` as JSON, in the shape of `MediaView`. */
export const MEDIA_JSON = sql`json_build_object('id', m.id::text, 'type', m.type,
  'processing', m.processing, 'failureReason', m.failure_reason,
  'originalKey', m.original_key, 'smallKey', m.small_key, 'meta', m.meta,
  'description', m.description, 'focus', json_build_object('x', m.focus_x, 'y', m.focus_y),
  'blurhash', m.blurhash, 'remoteUrl', m.remote_url, 'statusId', m.status_id::text)`;

/** The attachments of status `s`, in their order, as a JSON array. */
export const STATUS_MEDIA_JSON = sql`coalesce((select json_agg(${MEDIA_JSON} order by m.position)
  from media_attachments m where m.status_id = s.id), '[]'::json)`;

/** One's own attachment, attached or not; null when it is not theirs or does not exist. */
export async function findOwnMedia(
  executor: Executor,
  accountId: string,
  mediaId: string,
): Promise<MediaView | null> {
  if (!isSnowflakeId(mediaId)) return null;
  const [row] = await queryRows<{ media: MediaView }>(
    executor,
    sql`select ${MEDIA_JSON} as "media" from media_attachments m
      where m.id = ${mediaId} and m.account_id = ${accountId}`,
    { prepared: true },
  );
  return row?.media ?? null;
}
