import type { ScheduledStatusView } from '@murmur/db/statuses';
import type { Static } from 'typebox';
import type { ScheduledStatus } from '../schemas/entities.js';
import { timestamp } from './context.js';
import { serializeMediaAttachment } from './media.js';

/**
 * A scheduled status as Mastodon's ScheduledStatus. `application_id` and `with_rate_limit` are
 * kept for old clients only (Mastodon says to ignore them): 0 and false here, since a 64-bit
 * application id would not survive a JSON number.
 */
export function serializeScheduledStatus(
  view: ScheduledStatusView,
  publicUrl: string,
): Static<typeof ScheduledStatus> {
  const { params } = view;
  return {
    id: view.id,
    scheduled_at: timestamp(view.scheduledAt),
    params: {
      text: params.text,
      visibility: params.visibility,
      spoiler_text: params.spoilerText,
      sensitive: params.sensitive,
      language: params.language,
      in_reply_to_id: params.inReplyToId,
      media_ids: params.mediaIds.length > 0 ? params.mediaIds : null,
      poll:
        params.poll === null
          ? null
          : {
              options: params.poll.options,
              expires_in: params.poll.expiresIn,
              multiple: params.poll.multiple,
              hide_totals: params.poll.hideTotals,
            },
      idempotency: null,
      scheduled_at: null,
      application_id: 0,
      with_rate_limit: false,
    },
    media_attachments: view.mediaAttachments.map((m) => serializeMediaAttachment(m, publicUrl)),
  };
}
