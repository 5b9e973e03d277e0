import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { statuses, type Visibility } from '../../schema/index.js';
import { visibleTo } from '../visibility.js';

/** A status as stored, written by hand: what its operations return (the API renders views). */
export interface StatusRecord {
  id: string;
  accountId: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  visibility: Visibility;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  /** Set on a reblog (boost): the wrapper points at the original. */
  reblogOfId: string | null;
  applicationId: string | null;
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  /** Remote statuses only: the ActivityPub id, the page on the author's server, its HTML. */
  uri: string | null;
  url: string | null;
  contentHtml: string | null;
}

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
): Promise<StatusRecord> {
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
 * The statement's part that finds the status an action on `statusId` applies to: the status itself,
 * or the original when it is a reblog (favouriting or reblogging a reblog acts on the original, as in
 * Mastodon). Both must be visible to `viewerId` and not deleted. A `select` of the target's id,
 * account_id and visibility (plus `columns`), to use alone or as the first CTE of a write, so that an
 * action is one round trip.
 */
export function statusTargetSelect(statusId: string, viewerId: string, columns: SQL = sql``): SQL {
  return sql`select statuses.id, statuses.account_id, statuses.visibility${columns}
    from (
      select statuses.id, statuses.reblog_of_id from statuses
      where statuses.id = ${statusId} and statuses.deleted_at is null and ${visibleTo(viewerId)}
    ) given join statuses on statuses.id = coalesce(given.reblog_of_id, given.id)
    where statuses.deleted_at is null and ${visibleTo(viewerId)}`;
}

/** The target's columns as `StatusTarget` reads them, from a CTE named `target`. */
export const STATUS_TARGET_COLUMNS = sql`target.id::text as id, target.account_id::text as "accountId",
  target.visibility`;

/** The target's ids for the data of an event about it (see `outboxInsert`'s `dataFromStatement`). */
export const STATUS_TARGET_EVENT_DATA = sql`(select jsonb_build_object('statusId', target.id::text,
  'statusAccountId', target.account_id::text) from target)`;

/**
 * Resolves the status an action on `statusId` applies to, in one statement (see
 * `statusTargetSelect`). With `allocateId`, the same statement allocates a new status id. Throws
 * StatusNotFound when there is none the viewer may act on.
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
    sql`with target as (${statusTargetSelect(statusId, viewerId, options.allocateId ? sql`, snowflake_id() as new_id` : sql``)})
        select ${STATUS_TARGET_COLUMNS}${options.allocateId ? sql`, target.new_id::text as "newId"` : sql``}
        from target`,
    { prepared: true },
  );
  if (!target) throw notFound();
  return target;
}

/** Throws StatusNotFound unless the id can be a status id (before any statement is sent). */
export function requireStatusId(statusId: string): void {
  if (!isSnowflakeId(statusId)) throw notFound();
}

/** The StatusNotFound of an action whose statement found no target. */
export function statusTargetOrNotFound(target: StatusTarget | undefined): StatusTarget {
  if (!target) throw notFound();
  return target;
}
