/**
 * A remote account sends a `Follow` of a local account it already follows: Mastodon does when it
 * never saw the `Accept` (lost, or its side of the follow was reset), and keeps showing "requested"
 * until one arrives. The follow stays as it is (no counters, no notification); RemoteFollowRepeated
 * asks the `federation-delivery` consumer for another `Accept` of this `Follow`. One statement: the
 * event exists only if the follow does when it runs. A new follow is not this: `followAccount`.
 *
 * The `Follow` that made the follow, applied again (the worker applies an event at least once), is
 * no repeat and is answered by nothing more: the follow keeps the id of the `Follow` it answers
 * (`activity_uri`), and a repeat is a `Follow` with another id, which the follow then keeps, so
 * that a later `Reject` names the newest.
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
        select id, activity_uri from follows
        where account_id = ${input.accountId} and target_account_id = ${input.targetAccountId}
      ),
      repeated as (
        update follows f set activity_uri = ${input.followUri}
        from existing e
        where f.id = e.id and e.activity_uri is distinct from ${input.followUri}
        returning 1
      ),
      events as (${outboxInsert([event], sql`exists (select 1 from repeated)`)})
      select exists (select 1 from existing) as following`,
  );
  return row?.following ?? false;
}
