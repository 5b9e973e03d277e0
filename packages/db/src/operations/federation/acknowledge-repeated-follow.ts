/**
 * A remote account sends a `Follow` of a local account it already follows: Mastodon does when it
 * never saw the `Accept` (lost, or its side of the follow was reset), and keeps showing "requested"
 * until one arrives. The follow stays as it is (no counters, no notification); RemoteFollowRepeated
 * asks the `federation-delivery` consumer for another `Accept` of this `Follow`. One statement: the
 * event exists only if the follow does when it runs. A new follow is not this: `followAccount`.
 *
 * The `Follow` that made the follow, applied again (the worker applies an event at least once), is
 * no repeat and is answered by nothing more: a follow made by a `Follow` is newer than that
 * activity's arrival (`received_activities`), a repeat arrived after the follow was made. Murmur
 * keeps no activity id on a follow; the arrival time says the same without one.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { newEvent, outboxInsert } from '../outbox.js';

export interface RepeatedFollowInput {
  /** The remote follower. */
  accountId: string;
  /** The local account followed. */
  targetAccountId: string;
  /** The id of the `Follow` received again. */
  followUri: string;
}

/**
 * True when the follow exists (the event written if this `Follow` arrived after it was made);
 * false, writing nothing, otherwise.
 */
export async function acknowledgeRepeatedFollow(
  database: Database,
  input: RepeatedFollowInput,
): Promise<boolean> {
  if (!isSnowflakeId(input.accountId) || !isSnowflakeId(input.targetAccountId)) return false;
  const event = newEvent(
    'RemoteFollowRepeated',
    {
      accountId: input.accountId,
      targetAccountId: input.targetAccountId,
      followUri: input.followUri,
    },
    null,
  );
  const [row] = await queryRows<{ following: boolean }>(
    database.primary,
    sql`with existing as (
        select created_at from follows
        where account_id = ${input.accountId} and target_account_id = ${input.targetAccountId}
      ),
      repeated as (
        select 1 from existing, received_activities r
        where r.activity_id = ${input.followUri} and existing.created_at < r.received_at
      ),
      events as (${outboxInsert([event], sql`exists (select 1 from repeated)`)})
      select exists (select 1 from existing) as following`,
  );
  return row?.following ?? false;
}
