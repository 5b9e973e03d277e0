import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { MEDIA_JSON } from '../../queries/media.js';
import type { MediaView } from '../../queries/views.js';
import {
  mediaNotFound,
  ownMediaTarget,
  validDescription,
  validFocus,
  type Focus,
} from './rules.js';

export interface MediaChanges {
  accountId: string;
  mediaId: string;
  description?: string | null;
  focus?: Focus | null;
}

/**
 * Changes the alt text or focal point of one's own attachment until it is posted: a posted
 * attachment changes only through an edit of its status (which moves `edited_at`, the key of the
 * API's cache of a status's attachments).
 */
export async function updateMedia(database: Database, input: MediaChanges): Promise<MediaView> {
  if (!isSnowflakeId(input.mediaId)) throw mediaNotFound();
  const description =
    input.description === undefined ? undefined : validDescription(input.description);
  const focus = input.focus === undefined ? undefined : validFocus(input.focus);
  const [row] = await queryRows<{ media: MediaView; attached: boolean }>(
    database.primary,
    sql`
    with target as (${ownMediaTarget(input)}), m as (
      update media_attachments u set
        description = ${description === undefined ? sql`u.description` : sql`${description}`},
        focus_x = ${focus === undefined ? sql`u.focus_x` : sql`${focus.x}`},
        focus_y = ${focus === undefined ? sql`u.focus_y` : sql`${focus.y}`}
      from target where u.id = target.id and not target.attached
      returning u.*
    )
    select target.attached, (select ${MEDIA_JSON} from m) as "media" from target`,
  );
  if (!row) throw mediaNotFound();
  if (row.attached) {
    throw new DomainError(
      'InvalidField',
      'This attachment is part of a post and can no longer be changed',
      'id',
    );
  }
  return row.media;
}
