import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { newEvent, outboxInsert } from '../outbox.js';

export interface MuteInput {
  accountId: string;
  targetAccountId: string;
  /** Hide their notifications too (Mastodon's default). */
  notifications?: boolean;
  /** Seconds until the mute ends by itself; 0 or absent: never. */
  durationSeconds?: number;
  requestId?: string | null;
  /** The clock (tests). */
  now?: Date;
}

/** Longest mute duration accepted: beyond it, a mute is indefinite in all but name. */
export const MAX_MUTE_DURATION_SECONDS = 100 * 365 * 24 * 3600;

/**
 * Mutes an account, or changes an existing mute's options (as Mastodon does when muting again),
 * and writes AccountMuted. The muted account is not told: nothing it can read changes. The mute's
 * expiry is compared with now() by every read, so it ends by itself. One statement.
 */
export async function muteAccount(database: Database, input: MuteInput): Promise<void> {
  // Muting yourself does nothing, as in Mastodon.
  if (input.accountId === input.targetAccountId) return;
  if (!isSnowflakeId(input.targetAccountId)) throw accountNotFound();
  const duration = input.durationSeconds ?? 0;
  if (!Number.isInteger(duration) || duration < 0 || duration > MAX_MUTE_DURATION_SECONDS) {
    throw new DomainError(
      'InvalidField',
      `Validation failed: duration must be a whole number of seconds between 0 and ${MAX_MUTE_DURATION_SECONDS}`,
      'duration',
    );
  }
  const notifications = input.notifications ?? true;
  const expiresAt =
    duration > 0 ? new Date((input.now ?? new Date()).getTime() + duration * 1000) : null;
  const event = newEvent(
    'AccountMuted',
    {
      accountId: input.accountId,
      targetAccountId: input.targetAccountId,
      notifications,
      expiresAt: expiresAt?.toISOString() ?? null,
    },
    input.requestId,
  );
  const [row] = await queryRows<{ found: boolean }>(
    database.primary,
    sql`with target as (select id from accounts where id = ${input.targetAccountId}),
        muted as (
          insert into mutes (account_id, target_account_id, hide_notifications, expires_at)
          select ${input.accountId}, target.id, ${notifications}, ${expiresAt?.toISOString() ?? null}::timestamptz
          from target
          on conflict (account_id, target_account_id) do update
            set hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at
          returning 1
        ),
        events as (${outboxInsert([event], sql`exists (select 1 from muted)`)})
        select exists (select 1 from target) as found`,
  );
  if (!row?.found) throw accountNotFound();
}

function accountNotFound(): DomainError {
  return new DomainError('AccountNotFound', 'Record not found');
}
