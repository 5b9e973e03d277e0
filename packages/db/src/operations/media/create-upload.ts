import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { MEDIA_JSON } from '../../queries/media.js';
import type { MediaView } from '../../queries/views.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { validDescription, validFocus, type Focus } from './rules.js';

export interface MediaUploadInput {
  accountId: string;
  /** Where the file was stored as received (see `@murmur/media`'s `incomingKey`). */
  incomingKey: string;
  description?: string | null;
  focus?: Focus | null;
  requestId?: string | null;
}

/**
 * Records an upload waiting to be processed, and writes MediaUploaded (which the worker's `media`
 * consumer processes) in the same statement: the event exists if and only if the row does.
 */
export async function createMediaUpload(
  database: Database,
  input: MediaUploadInput,
): Promise<MediaView> {
  const description = validDescription(input.description);
  const focus = validFocus(input.focus);
  const [allocated] = await queryRows<{ id: string }>(
    database.primary,
    sql`select snowflake_id()::text as "id"`,
  );
  const mediaId = allocated!.id;
  const events = outboxInsert([
    newEvent('MediaUploaded', { mediaId, accountId: input.accountId }, input.requestId),
  ]);
  const [row] = await queryRows<{ media: MediaView }>(
    database.primary,
    sql`
    with m as (
      insert into media_attachments (id, account_id, incoming_key, description, focus_x, focus_y)
      values (${mediaId}, ${input.accountId}, ${input.incomingKey}, ${description}, ${focus.x}, ${focus.y})
      returning *
    ), events as (${events})
    select ${MEDIA_JSON} as "media" from m`,
  );
  return row!.media;
}
