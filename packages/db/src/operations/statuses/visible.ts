import { and, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { statuses, type Visibility } from '../../schema/index.js';
import { visibleTo } from '../visibility.js';

export type StatusRow = typeof statuses.$inferSelect;

/** What an account does to a status (favourite, reblog, ...), and the request that asked. */
export interface StatusActionInput {
  accountId: string;
  statusId: string;
  requestId?: string | null;
}

function notFound(): DomainError {
  return new DomainError('StatusNotFound', 'Record not found');
}

/** Loads a status the viewer may see (not deleted), or throws StatusNotFound. */
export async function getVisibleStatus(
  executor: Executor,
  statusId: string,
  viewerId: string | null,
): Promise<StatusRow> {
  if (!isSnowflakeId(statusId)) throw notFound();
  const [row] = await executor
    .select()
    .from(statuses)
    .where(and(eq(statuses.id, statusId), isNull(statuses.deletedAt), visibleTo(viewerId)))
    .limit(1);
  if (!row) throw notFound();
  return row;
}

/** The status an action applies to: the original when the id given is a reblog. */
export interface StatusTarget {
  id: string;
  accountId: string;
  visibility: Visibility;
  /** A fresh status id, when asked for (a reblog's wrapper gets it, so its event can carry it). */
  newId?: string;
}

/**
 * Resolves the status an action on `statusId` applies to, in one statement: the status itself, or
 * the original when it is a reblog (favouriting or reblogging a reblog acts on the original, as in
 * Mastodon). With `allocateId`, the same statement allocates a new status id. Both must be visible to `viewerId` and not deleted, else StatusNotFound.
 */
export async function resolveStatusTarget(
  executor: Executor,
  statusId: string,
  viewerId: string,
  options: { allocateId?: boolean } = {},
): Promise<StatusTarget> {
  if (!isSnowflakeId(statusId)) throw notFound();
  const [target] = await queryRows<StatusTarget>(
    executor,
    sql`with given as (
          select statuses.id, statuses.reblog_of_id from statuses
          where statuses.id = ${statusId} and statuses.deleted_at is null and ${visibleTo(viewerId)}
        )
        select statuses.id::text as id, statuses.account_id::text as "accountId",
          statuses.visibility${options.allocateId ? sql`, snowflake_id()::text as "newId"` : sql``}
        from given join statuses on statuses.id = coalesce(given.reblog_of_id, given.id)
        where statuses.deleted_at is null and ${visibleTo(viewerId)}`,
    { prepared: true },
  );
  if (!target) throw notFound();
  return target;
}
