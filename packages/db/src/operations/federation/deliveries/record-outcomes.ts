/**
 * How each attempt ended, for many deliveries in one statement: `delivered` and `failed` are
 * final; `retry` counts the attempt and sets the next one (`retryInMs`, the back-off the sender
 * chose); `deferred` (the host's circuit is open, nothing was sent) only moves the next attempt.
 * Every outcome releases the lease.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../../client.js';

export interface FederationDeliveryOutcome {
  id: string;
  result: 'delivered' | 'failed' | 'retry' | 'deferred';
  /** For `retry` and `deferred`: when to try again. */
  retryInMs?: number;
  /** The inbox's answer when it was not a success (status code or error). */
  error?: string | null;
}

export async function recordFederationDeliveryOutcomes(
  database: Database,
  outcomes: readonly FederationDeliveryOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const column = <T>(pick: (outcome: FederationDeliveryOutcome) => T) =>
    sql.param(outcomes.map(pick));
  await database.primary.execute(
    sql`update federation_deliveries d set
        state = case o.result when 'delivered' then 'delivered' when 'failed' then 'failed'
          else 'pending' end,
        attempts = d.attempts + case o.result when 'deferred' then 0 else 1 end,
        next_attempt_at = case when o.result in ('retry', 'deferred')
          then now() + o.retry_in_ms * interval '1 millisecond' else d.next_attempt_at end,
        finished_at = case when o.result in ('delivered', 'failed') then now() else null end,
        last_error = coalesce(o.error, d.last_error),
        leased_until = null
      from unnest(${column((o) => o.id)}::bigint[], ${column((o) => o.result)}::text[],
        ${column((o) => o.retryInMs ?? 0)}::bigint[], ${column((o) => o.error ?? null)}::text[])
        as o(id, result, retry_in_ms, error)
      where d.id = o.id`,
  );
}

/** Finished deliveries are kept a while for operators, then deleted, `limit` at a time. */
export async function deleteFinishedFederationDeliveries(
  database: Database,
  options: { olderThanMs: number; limit?: number },
): Promise<number> {
  const result = await database.primary.execute(
    sql`delete from federation_deliveries where id in (
        select id from federation_deliveries
        where finished_at < now() - ${options.olderThanMs} * interval '1 millisecond'
        limit ${options.limit ?? 10_000})`,
  );
  return result.rowCount ?? 0;
}
