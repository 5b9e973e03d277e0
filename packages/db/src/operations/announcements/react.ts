import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { announcementNotFound } from './publish.js';

/** Different emoji one announcement can carry, as Mastodon limits them. */
export const MAX_ANNOUNCEMENT_REACTIONS = 8;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

/**
 * Whether `name` is one Unicode emoji (one grapheme, pictographic, flags and keycaps included). The
 * server has no custom emoji, so a shortcode is never a valid reaction here.
 */
export function isReactionEmoji(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  const [first, second] = graphemes.segment(name);
  if (!first || second) return false;
  return PICTOGRAPHIC.test(name) || /^[#*0-9]\uFE0F?\u20E3$/u.test(name);
}

export interface AnnouncementReactionInput {
  accountId: string;
  announcementId: string;
  name: string;
}

/**
 * Adds the account's reaction to an active announcement, with its event; reacting twice with the
 * same emoji changes nothing. A new emoji beyond the {@link MAX_ANNOUNCEMENT_REACTIONS} different
 * ones is refused: counted under the announcement's row lock, so two people adding a ninth emoji at
 * once cannot both succeed.
 */
export async function addAnnouncementReaction(
  database: Database,
  input: AnnouncementReactionInput,
): Promise<void> {
  if (!isSnowflakeId(input.announcementId)) throw announcementNotFound();
  if (!isReactionEmoji(input.name)) {
    throw new DomainError('InvalidField', 'Name is not a recognized emoji', 'name');
  }
  const event = newEvent('AnnouncementReacted', input, null);
  await withTransaction(database, async (tx) => {
    // The lock first: the count below then sees every reaction committed before it.
    const [target] = await queryRows<{ id: string }>(
      tx,
      sql`select id from announcements
        where id = ${input.announcementId} and (ends_at is null or ends_at > now())
        for update`,
    );
    if (!target) throw announcementNotFound();
    const [row] = await queryRows<{ isFull: boolean }>(
      tx,
      sql`with counted as (
          select count(distinct name) >= ${MAX_ANNOUNCEMENT_REACTIONS}
              and not coalesce(bool_or(name = ${input.name}), false) as is_full
          from announcement_reactions where announcement_id = ${input.announcementId}
        ), inserted as (
          insert into announcement_reactions (announcement_id, account_id, name)
          select ${input.announcementId}, ${input.accountId}, ${input.name} from counted
          where not counted.is_full
          on conflict do nothing
          returning 1
        ), events as (${outboxInsert([event], sql`exists (select 1 from inserted)`)})
        select is_full as "isFull" from counted`,
    );
    if (row?.isFull) {
      throw new DomainError(
        'InvalidField',
        `An announcement can have at most ${MAX_ANNOUNCEMENT_REACTIONS} different reactions`,
        'name',
      );
    }
  });
}

/** Takes the account's reaction back; nothing (and no event) when there was none. */
export async function removeAnnouncementReaction(
  database: Database,
  input: AnnouncementReactionInput,
): Promise<void> {
  if (!isSnowflakeId(input.announcementId)) throw announcementNotFound();
  const event = newEvent('AnnouncementReactionRemoved', input, null);
  const [row] = await queryRows<{ exists: boolean }>(
    database.primary,
    sql`with removed as (
        delete from announcement_reactions
        where announcement_id = ${input.announcementId} and account_id = ${input.accountId}
          and name = ${input.name}
        returning 1
      ), events as (${outboxInsert([event], sql`exists (select 1 from removed)`)})
      select exists (select 1 from announcements where id = ${input.announcementId}) as exists`,
  );
  if (!row?.exists) throw announcementNotFound();
}
