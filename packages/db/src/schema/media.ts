import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, real, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { scheduledStatuses } from './scheduled-statuses.js';
import { statuses } from './statuses.js';

/**
 * Kinds of attachment; video, gifv and audio slot in beside `image` when their processing exists.
 * `unknown` (Mastodon's word) is another server's file that is not kept here (not an image, or one
 * that could not be fetched): clients link to its `remote_url`.
 */
export const MEDIA_TYPES = ['image', 'unknown'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Where an upload is in its life: stored as received, processed by the worker, or refused by it. */
export const MEDIA_PROCESSING_STATES = ['pending', 'processed', 'failed'] as const;
export type MediaProcessingState = (typeof MEDIA_PROCESSING_STATES)[number];

export interface MediaFileMeta {
  width: number;
  height: number;
  /** `640x480`, as Mastodon writes it. */
  size: string;
  aspect: number;
}

export interface MediaMeta {
  original: MediaFileMeta;
  /** Absent until a remote attachment is processed here (its size is then the sender's word). */
  small?: MediaFileMeta;
}

export const mediaAttachments = pgTable(
  'media_attachments',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** The owner: only they can describe, attach or delete it. */
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /**
     * Set when a status is posted (or edited) with it; from then on only an edit of that status
     * changes it (or detaches it, when the edit removes it).
     */
    statusId: snowflake('status_id').references(() => statuses.id, { onDelete: 'set null' }),
    /** Reserved by a scheduled status, which will attach it when it is posted. */
    scheduledStatusId: snowflake('scheduled_status_id').references(() => scheduledStatuses.id, {
      onDelete: 'set null',
    }),
    /** Its place among the status's attachments (0 to 3), in the order of `media_ids`. */
    position: smallint('position'),
    type: text('type').$type<MediaType>().notNull().default('image'),
    processing: text('processing').$type<MediaProcessingState>().notNull().default('pending'),
    /** Why the worker refused the file, for a person (failed uploads only). */
    failureReason: text('failure_reason'),
    /** The upload as received (never served), until it is processed. */
    incomingKey: text('incoming_key'),
    originalKey: text('original_key'),
    smallKey: text('small_key'),
    meta: jsonb('meta').$type<MediaMeta>(),
    description: text('description'),
    /** Focal point, each from -1 to 1 (Mastodon's convention: 0,0 is the centre, y grows upwards). */
    focusX: real('focus_x').notNull().default(0),
    focusY: real('focus_y').notNull().default(0),
    blurhash: text('blurhash'),
    /**
     * Another server's attachment (of a remote status): where the file is on that server. An image
     * is fetched from there and processed as uploads are; anything else is only linked.
     */
    remoteUrl: text('remote_url'),
    createdAt: createdAt(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    check('media_attachments_type', sql`${t.type} in ('image', 'unknown')`),
    check(
      'media_attachments_processing',
      sql`${t.processing} in ('pending', 'processed', 'failed')`,
    ),
    check('media_attachments_description_length', sql`char_length(${t.description}) <= 1500`),
    check(
      'media_attachments_focus',
      sql`${t.focusX} between -1 and 1 and ${t.focusY} between -1 and 1`,
    ),
    check('media_attachments_position', sql`${t.position} between 0 and 3`),
    index('media_attachments_status_idx')
      .on(t.statusId, t.position)
      .where(sql`${t.statusId} is not null`),
    index('media_attachments_account_idx').on(t.accountId, t.id),
    index('media_attachments_scheduled_idx')
      .on(t.scheduledStatusId)
      .where(sql`${t.scheduledStatusId} is not null`),
    // The cleanup looks for old uploads never attached.
    index('media_attachments_unattached_idx')
      .on(t.createdAt)
      .where(sql`${t.statusId} is null`),
  ],
);
