import { sql } from 'drizzle-orm';

/**
 * A condition that is always true and makes the statement's transaction commit without waiting
 * for the WAL flush (`synchronous_commit = off`, for this transaction only; `set_config` inside
 * the statement costs no extra round trip). Only for writes whose loss in a crash is redone: feed
 * entries (derived data, lost together with their markers, see `fanOutStatusesOnce`) and the
 * markers of events that asked nothing of a consumer (`markEventsProcessed`); the reconciler
 * republishes an event whose marker is missing, and the consumer then does nothing again. Under
 * load, waiting for the disk at each batch left the consumers idle.
 */
export const asyncCommit = sql`(select set_config('synchronous_commit', 'off', true)) is not null`;
