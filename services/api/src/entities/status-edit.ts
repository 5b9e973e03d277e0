import type { StatusRevisionView, StatusView } from '@murmur/db/statuses';
import type { Static } from 'typebox';
import type { StatusEdit, StatusSource } from '../schemas/entities.js';
import { serializeAccount } from './account.js';
import { timestamp } from './context.js';
import { serializeMediaAttachment } from './media.js';
import { content } from './status.js';

/**
 * A status's history as Mastodon's StatusEdit entities, the original first. A status never edited
 * has one entry, itself. Each revision shows its own attachments (revisions stored before
 * attachments could change show the current ones); mentions that are links are the current status's.
 */
export function serializeStatusHistory(
  status: StatusView,
  revisions: readonly StatusRevisionView[],
  publicUrl: string,
): Static<typeof StatusEdit>[] {
  const entries: StatusRevisionView[] =
    revisions.length > 0
      ? [...revisions]
      : [
          {
            text: status.text,
            spoilerText: status.spoilerText,
            sensitive: status.sensitive,
            pollOptions: status.poll?.options ?? null,
            media: null,
            contentHtml: status.contentHtml ?? null,
            createdAt: status.createdAt,
          },
        ];
  const account = serializeAccount(status.account, publicUrl);
  const current = status.mediaAttachments.map((m) => serializeMediaAttachment(m, publicUrl));
  return entries.map((revision) => ({
    content: content(
      { text: revision.text, mentions: status.mentions, contentHtml: revision.contentHtml },
      publicUrl,
    ),
    spoiler_text: revision.spoilerText,
    sensitive: revision.sensitive,
    created_at: timestamp(revision.createdAt),
    account,
    poll:
      revision.pollOptions === null
        ? null
        : { options: revision.pollOptions.map((title) => ({ title })) },
    media_attachments:
      revision.media === null
        ? current
        : revision.media.map((m) => serializeMediaAttachment(m, publicUrl)),
    emojis: [],
  }));
}

export function serializeStatusSource(status: StatusView): Static<typeof StatusSource> {
  return { id: status.id, text: status.text, spoiler_text: status.spoilerText };
}
