/**
 * The retry loop's claim: pending deliveries whose back-off has passed and that no live process
 * holds, leased for `leaseMs` (`SKIP LOCKED`: several workers share the work, each row once).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../client.js';
import { CLAIMED_COLUMNS, type ClaimedFederationDelivery } from './enqueue.js';

export async function claimDueFederationDeliveries(
  database: Database,
  options: { limit: number; leaseMs: number },
): Promise<ClaimedFederationDelivery[]> {
  const rows = await queryRows<ClaimedFederationDelivery>(
    database.primary,
    sql`with claimed as (update federation_deliveries d set leased_until = now() + ${options.leaseMs} * interval '1 millisecond'
      where d.id in (
        select id from federation_deliveries
        where state = 'pending' and next_attempt_at <= now()
          and (leased_until is null or leased_until < now())
        order by next_attempt_at
        limit ${options.limit}
        for update skip locked
      )
      returning d.*)
      select ${CLAIMED_COLUMNS} from claimed d join accounts a on a.id = d.sender_account_id`,
  );
  return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }));
}
