/**
 * Scheduled statuses (Mastodon's `scheduled_at`): checked now with every rule of posting, stored
 * with their attachments reserved, and posted by the worker at their time (`publish.ts`). At least
 * five minutes ahead; at most 300 waiting per account and 25 on one UTC day, as Mastodon.
 */
import { DEFAULT_MAX_CHARACTERS } from '@murmur/text';
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { findScheduledStatus, type ScheduledStatusView } from '../../queries/scheduled-statuses.js';
import type { ScheduledStatusParams } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { lockAttachableMedia } from '../media/attach-to-status.js';
import {
  validateStatus,
  type CreateStatusInput,
  type CreateStatusOptions,
} from '../statuses/create.js';

export const SCHEDULED_STATUS_RULES = Object.freeze({
  minLeadMs: 5 * 60 * 1000,
  maxWaiting: 300,
  maxPerDay: 25,
});

export type ScheduleStatusInput = Omit<CreateStatusInput, 'idempotencyKey'> & {
  scheduledAt: Date;
};

function notFound(): DomainError {
  return new DomainError('StatusNotFound', 'Record not found');
}

function refusedTime(message: string): DomainError {
  return new DomainError('InvalidField', `Validation failed: ${message}`, 'scheduled_at');
}

function checkLead(scheduledAt: Date, now: Date): void {
  if (Number.isNaN(scheduledAt.getTime())) throw refusedTime('Scheduled at is not a valid time');
  if (scheduledAt.getTime() - now.getTime() < SCHEDULED_STATUS_RULES.minLeadMs) {
    throw refusedTime('Scheduled at must be at least 5 minutes in the future');
  }
}

/**
 * Under a lock on the account row (so concurrent requests count one after the other), refuses a
 * status beyond the limits of waiting and of the day it is scheduled on.
 */
async function checkLimits(
  tx: Executor,
  accountId: string,
  scheduledAt: Date,
  movingId: string | null,
): Promise<void> {
  const [counts] = await queryRows<{ waiting: number; thatDay: number }>(
    tx,
    sql`with locked as (select id from accounts where id = ${accountId} for update)
      select count(*)::int as "waiting",
        (count(*) filter (where (s.scheduled_at at time zone 'utc')::date
          = (${scheduledAt}::timestamptz at time zone 'utc')::date))::int as "thatDay"
      from locked join scheduled_statuses s on s.account_id = locked.id
      where s.id is distinct from ${movingId}::bigint`,
  );
  const { maxWaiting, maxPerDay } = SCHEDULED_STATUS_RULES;
  if ((counts?.waiting ?? 0) >= maxWaiting) {
    throw refusedTime(`You can have at most ${maxWaiting} scheduled posts`);
  }
  if ((counts?.thatDay ?? 0) >= maxPerDay) {
    throw refusedTime(`You can schedule at most ${maxPerDay} posts for one day`);
  }
}

/** Schedules a status; nothing is posted until its time. */
export async function scheduleStatus(
  database: Database,
  input: ScheduleStatusInput,
  options: CreateStatusOptions & { now?: Date } = {},
): Promise<ScheduledStatusView> {
  checkLead(input.scheduledAt, options.now ?? new Date());
  const valid = validateStatus(
    { ...input, idempotencyKey: null },
    { maxCharacters: options.maxCharacters ?? DEFAULT_MAX_CHARACTERS },
  );
  const params: ScheduledStatusParams = {
    text: valid.text,
    visibility: valid.visibility,
    spoilerText: valid.spoilerText,
    sensitive: input.sensitive ?? null,
    language: input.language ?? null,
    inReplyToId: valid.inReplyToId,
    applicationId: input.applicationId ?? null,
    mediaIds: valid.mediaIds,
    poll:
      valid.poll === null
        ? null
        : {
            options: valid.poll.options,
            expiresIn: valid.poll.expiresInSeconds,
            multiple: valid.poll.multiple,
            hideTotals: valid.poll.hideTotals,
          },
  };
  return withTransaction(database, async (tx) => {
    await checkLimits(tx, input.accountId, input.scheduledAt, null);
    const media = await lockAttachableMedia(tx, input.accountId, valid.mediaIds);
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`with scheduled as (
          insert into scheduled_statuses (account_id, scheduled_at, params)
          values (${input.accountId}, ${input.scheduledAt}, ${JSON.stringify(params)}::jsonb)
          returning id
        ), reserved as (
          update media_attachments set scheduled_status_id = scheduled.id
          from scheduled where media_attachments.id = any(${sql.param(valid.mediaIds)}::bigint[])
        )
        select id::text as "id" from scheduled`,
    );
    return { id: row!.id, scheduledAt: input.scheduledAt, params, mediaAttachments: media };
  });
}

/** Moves a scheduled status to another time, with the same rules as scheduling it. */
export async function rescheduleStatus(
  database: Database,
  input: { accountId: string; scheduledStatusId: string; scheduledAt: Date; now?: Date },
): Promise<ScheduledStatusView> {
  if (!isSnowflakeId(input.scheduledStatusId)) throw notFound();
  checkLead(input.scheduledAt, input.now ?? new Date());
  return withTransaction(database, async (tx) => {
    await checkLimits(tx, input.accountId, input.scheduledAt, input.scheduledStatusId);
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`update scheduled_statuses set scheduled_at = ${input.scheduledAt}
        where id = ${input.scheduledStatusId} and account_id = ${input.accountId}
        returning id::text as "id"`,
    );
    if (!row) throw notFound();
    const view = await findScheduledStatus(tx, input.accountId, input.scheduledStatusId);
    if (!view) throw notFound();
    return view;
  });
}

/** Cancels a scheduled status; its attachments become unattached uploads again. */
export async function cancelScheduledStatus(
  database: Database,
  input: { accountId: string; scheduledStatusId: string },
): Promise<void> {
  if (!isSnowflakeId(input.scheduledStatusId)) throw notFound();
  const rows = await queryRows(
    database.primary,
    sql`delete from scheduled_statuses
      where id = ${input.scheduledStatusId} and account_id = ${input.accountId} returning id`,
  );
  if (rows.length === 0) throw notFound();
}
