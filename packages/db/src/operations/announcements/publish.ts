import { countCharacters, extractMentions, isFarBeyondLimit } from '@murmur/text';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { newEvent, outboxInsert } from '../outbox.js';

/** Longer than any status: an announcement is the operator's, not bound by the post limit. */
export const MAX_ANNOUNCEMENT_CHARACTERS = 5_000;

export interface PublishAnnouncementInput {
  text: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  /** The period is whole days (apps show dates only). */
  allDay?: boolean;
}

/**
 * Publishes an announcement to everyone (the operator's command), resolving the local accounts its
 * text mentions, and writes AnnouncementPublished in the same statement.
 */
export async function publishAnnouncement(
  database: Database,
  input: PublishAnnouncementInput,
): Promise<{ id: string }> {
  const text = input.text.trim();
  if (text.length === 0) {
    throw new DomainError('TextEmpty', 'An announcement needs some text', 'text');
  }
  if (
    isFarBeyondLimit(text, MAX_ANNOUNCEMENT_CHARACTERS) ||
    countCharacters(text) > MAX_ANNOUNCEMENT_CHARACTERS
  ) {
    throw new DomainError(
      'TextTooLong',
      `An announcement is at most ${MAX_ANNOUNCEMENT_CHARACTERS} characters`,
      'text',
    );
  }
  const startsAt = input.startsAt ?? null;
  const endsAt = input.endsAt ?? null;
  if (startsAt && endsAt && startsAt >= endsAt) {
    throw new DomainError('InvalidField', 'An announcement must start before it ends', 'ends_at');
  }
  const mentioned = extractMentions(text);
  // The id first (a rare operator action: one more round trip is nothing), so the event names it.
  const [{ id }] = (await queryRows<{ id: string }>(
    database.primary,
    sql`select snowflake_id()::text as id`,
  )) as [{ id: string }];
  const event = newEvent('AnnouncementPublished', { announcementId: id }, null);
  await queryRows(
    database.primary,
    sql`with inserted as (
        insert into announcements (id, text, mentioned_account_ids, starts_at, ends_at, all_day)
        values (${id}, ${text},
          coalesce((select array_agg(a.id) from accounts a
            where lower(a.username) = any(${sql.param(mentioned)}::text[])), '{}'),
          ${startsAt}, ${endsAt}, ${(input.allDay ?? false) && (startsAt !== null || endsAt !== null)})
        returning id
      ), events as (${outboxInsert([event], sql`exists (select 1 from inserted)`)})
      select 1`,
  );
  return { id };
}

/** Takes an announcement down (it disappears from every app) and writes AnnouncementWithdrawn. */
export async function withdrawAnnouncement(
  database: Database,
  announcementId: string,
): Promise<void> {
  if (!isSnowflakeId(announcementId)) throw announcementNotFound();
  const event = newEvent('AnnouncementWithdrawn', { announcementId }, null);
  const rows = await queryRows<{ id: string }>(
    database.primary,
    sql`with deleted as (delete from announcements where id = ${announcementId} returning id),
      events as (${outboxInsert([event], sql`exists (select 1 from deleted)`)})
      select id::text as id from deleted`,
  );
  if (rows.length === 0) throw announcementNotFound();
}

export function announcementNotFound(): DomainError {
  return new DomainError('AnnouncementNotFound', 'Record not found');
}
