/**
 * Follow requests (Mastodon's locked accounts). Following a locked account asks; its owner
 * authorizes (the request becomes a follow: the same AccountFollowed and counters as a direct
 * follow) or rejects; the requester withdraws by unfollowing; unlocking the account authorizes every
 * pending request. Each change writes its event in the same transaction; the `follow_request`
 * notification comes and goes with them through the worker's notify step.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { isSnowflakeId } from '../ids.js';
import { blockBetween } from '../queries/exclusions.js';
import { withTransaction } from '../transaction.js';
import { newEvent, outboxInsert } from './outbox.js';

export interface FollowRequestInput {
  /** Who asks (or asked) to follow. */
  accountId: string;
  /** The locked account. */
  targetAccountId: string;
  /** The id of the remote `Follow` activity, when a remote account asks. */
  activityUri?: string | null;
  requestId?: string | null;
}

/**
 * Asks to follow `targetAccountId` if it is locked or remote, in one transaction that holds the target's row
 * (so an unlock in progress either sees this request or commits first, and then the account is no
 * longer locked). Returns false, doing nothing, when the target is a local account that is not
 * locked: the caller follows.
 * Asking twice, or while already following, changes nothing and writes no event.
 */
export async function requestFollowIfLocked(
  database: Database,
  input: FollowRequestInput,
): Promise<boolean> {
  return withTransaction(database, async (tx) => {
    // A remote account is always asked: its server answers (Accept or Reject) for it.
    const [target] = await queryRows<{ locked: boolean; blocked: boolean }>(
      tx,
      sql`select locked or domain is not null as locked,
          ${blockBetween(input.accountId, input.targetAccountId)} as blocked
        from accounts where id = ${input.targetAccountId} for share`,
    );
    if (!target?.locked) return false;
    if (target.blocked) throw new DomainError('NotAllowed', 'This action is not allowed');
    const event = newEvent(
      'FollowRequested',
      { accountId: input.accountId, targetAccountId: input.targetAccountId },
      input.requestId,
    );
    // Asked again by a new remote `Follow`: the request keeps the newest id, which the answer
    // names, and is still one request (no second event). `xmax = 0` tells an insert from that.
    await tx.execute(sql`with requested as (
        insert into follow_requests (account_id, target_account_id, activity_uri)
        select ${input.accountId}, ${input.targetAccountId}, ${input.activityUri ?? null}::text
        where not exists (select 1 from follows
          where account_id = ${input.accountId} and target_account_id = ${input.targetAccountId})
        on conflict (account_id, target_account_id) do update
          set activity_uri = excluded.activity_uri where excluded.activity_uri is not null
        returning xmax = 0 as inserted
      )
      ${outboxInsert([event], sql`exists (select 1 from requested where inserted)`)}`);
    return true;
  });
}

/** Withdraws a pending request (Mastodon: unfollowing an account you asked to follow). */
export async function withdrawFollowRequest(
  database: Database,
  input: FollowRequestInput,
): Promise<boolean> {
  return closeFollowRequest(database.primary, input, 'withdrawn');
}

/** The target rejects a pending request; AccountNotFound (404) when there is none, as Mastodon. */
export async function rejectFollowRequest(
  database: Database,
  input: FollowRequestInput,
): Promise<void> {
  if (!(await closeFollowRequest(database.primary, input, 'rejected'))) throw requestNotFound();
}

/**
 * Closes a pending request inside the caller's statement sequence (a block closes them both ways);
 * false when there was none.
 */
export async function closeFollowRequest(
  executor: Executor,
  input: FollowRequestInput,
  outcome: 'rejected' | 'withdrawn',
): Promise<boolean> {
  if (!isSnowflakeId(input.accountId) || !isSnowflakeId(input.targetAccountId)) return false;
  const event = newEvent(
    'FollowRequestClosed',
    { accountId: input.accountId, targetAccountId: input.targetAccountId, outcome },
    input.requestId,
  );
  const rows = await queryRows<{ closed: boolean }>(
    executor,
    sql`with closed as (
        delete from follow_requests
        where account_id = ${input.accountId} and target_account_id = ${input.targetAccountId}
        returning 1
      ),
      events as (${outboxInsert([event], sql`exists (select 1 from closed)`)})
      select exists (select 1 from closed) as closed`,
  );
  return rows[0]?.closed ?? false;
}

/**
 * The target authorizes a pending request: it becomes a follow. AccountNotFound (404) when there is
 * no such request.
 */
export async function authorizeFollowRequest(
  database: Database,
  input: FollowRequestInput,
): Promise<void> {
  if (!isSnowflakeId(input.accountId)) throw requestNotFound();
  const authorized = await withTransaction(database, (tx) =>
    authorizeRequests(tx, input.targetAccountId, [input.accountId], input.requestId),
  );
  if (authorized === 0) throw requestNotFound();
}

/**
 * Authorizes every pending request to `targetAccountId` inside the caller's transaction (the account
 * was just unlocked, as Mastodon's UpdateAccountService does). Returns how many.
 */
export async function authorizeAllFollowRequests(
  tx: Executor,
  targetAccountId: string,
  requestId?: string | null,
): Promise<number> {
  const pending = await queryRows<{ accountId: string }>(
    tx,
    sql`select account_id::text as "accountId" from follow_requests
      where target_account_id = ${targetAccountId} order by id`,
  );
  return authorizeRequests(
    tx,
    targetAccountId,
    pending.map((p) => p.accountId),
    requestId,
  );
}

/** Turns the requests of `requesterIds` into follows, counters and events included. */
async function authorizeRequests(
  tx: Executor,
  targetAccountId: string,
  requesterIds: readonly string[],
  requestId: string | null | undefined,
): Promise<number> {
  if (requesterIds.length === 0) return 0;
  const deleted = await queryRows<{ accountId: string; activityUri: string | null }>(
    tx,
    sql`delete from follow_requests
      where target_account_id = ${targetAccountId}
        and account_id = any(${`{${requesterIds.join(',')}}`}::bigint[])
      returning account_id::text as "accountId", activity_uri as "activityUri"`,
  );
  if (deleted.length === 0) return 0;
  const followed = await queryRows<{ accountId: string }>(
    tx,
    sql`insert into follows (account_id, target_account_id, from_request, activity_uri)
      select id, ${targetAccountId}, true, uri
      from unnest(${sql.param(deleted.map((d) => d.accountId))}::bigint[],
        ${sql.param(deleted.map((d) => d.activityUri))}::text[]) as r(id, uri)
      order by id
      on conflict do nothing
      returning account_id::text as "accountId"`,
  );
  if (followed.length > 0) {
    const followerIds = `{${followed.map((f) => f.accountId).join(',')}}`;
    await tx.execute(sql`update accounts set following_count = following_count + 1
      where id = any(${followerIds}::bigint[])`);
    await tx.execute(sql`update accounts set followers_count = followers_count + ${followed.length}::int
      where id = ${targetAccountId}`);
  }
  const events = [
    ...deleted.map((d) =>
      newEvent(
        'FollowRequestClosed',
        { accountId: d.accountId, targetAccountId, outcome: 'authorized' },
        requestId,
      ),
    ),
    ...followed.map((f) =>
      newEvent('AccountFollowed', { accountId: f.accountId, targetAccountId }, requestId),
    ),
  ];
  await tx.execute(outboxInsert(events));
  return deleted.length;
}

function requestNotFound(): DomainError {
  return new DomainError('AccountNotFound', 'Record not found');
}
