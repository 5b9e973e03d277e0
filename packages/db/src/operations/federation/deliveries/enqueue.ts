/**
 * The `federation-delivery` consumer's write: one ledger row per (event, activity, inbox), leased to
 * the calling process so it can send them at once, and the event's marker, in one statement. A
 * redelivered event finds its rows and writes nothing new: no inbox gets an activity twice.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../../../client.js';
import { withTransaction } from '../../../transaction.js';
import { hostSuspended } from '../../../queries/instance-domain-blocks.js';

export interface FederationDeliveryRequest {
  consumer: string;
  eventId: string;
  senderAccountId: string;
  /**
   * The compacted JSON-LD activities, each sent as is on every attempt, to every inbox: one for
   * most events, one per choice for a vote with several.
   */
  activities: readonly Record<string, unknown>[];
  inboxUrls: readonly string[];
  /** How long the caller keeps the new rows to itself before the retry loop may take them over. */
  leaseMs: number;
}

/** A delivery a process has claimed: what it needs to sign and send it. */
export interface ClaimedFederationDelivery {
  id: string;
  inboxUrl: string;
  host: string;
  senderAccountId: string;
  /** The sender's username: its actor and key ids. */
  senderUsername: string;
  activity: Record<string, unknown>;
  /** Attempts made before this one. */
  attempts: number;
  createdAt: Date;
}

/** The columns of a `ClaimedFederationDelivery`, from a ledger row `d` and its sender `a`. */
export const CLAIMED_COLUMNS = sql.raw(`d.id::text, d.inbox_url as "inboxUrl", d.host,
  d.sender_account_id::text as "senderAccountId", a.username as "senderUsername", d.activity,
  d.attempts, d.created_at as "createdAt"`);

export function inboxHost(inboxUrl: string): string {
  return new URL(inboxUrl).host.toLowerCase();
}

/**
 * Most inboxes written in one statement: an actor's `Delete` goes to every inbox the server knows,
 * thousands of them, which are written in batches in one transaction instead.
 */
export const ENQUEUE_BATCH = 1000;

/**
 * The insert of the rows for `inboxes`, when the `marked` query (the event's marker) yields a row,
 * returning them as claimed.
 */
function insertDeliveries(request: FederationDeliveryRequest, inboxes: string[], marked: SQL) {
  return sql`with marked as (${marked})
      , inserted as (insert into federation_deliveries
        (event_id, activity_index, inbox_url, host, sender_account_id, activity, leased_until)
      select ${request.eventId}, act.n - 1, i.inbox_url, i.host, ${request.senderAccountId},
        act.activity, now() + ${request.leaseMs} * interval '1 millisecond'
      from unnest(${sql.param(inboxes)}::text[], ${sql.param(inboxes.map(inboxHost))}::text[])
          as i(inbox_url, host)
        cross join jsonb_array_elements(${JSON.stringify(request.activities)}::jsonb)
          with ordinality as act(activity, n)
      where exists (select 1 from marked)
        -- A server the instance suspended is sent nothing (instance domain blocks).
        and not ${hostSuspended(sql`i.host`)}
      on conflict (event_id, activity_index, inbox_url) do nothing
      returning *)
      select ${CLAIMED_COLUMNS} from inserted d join accounts a on a.id = d.sender_account_id
      order by d.id`;
}

/** Returns the rows written now (none when the event had been enqueued already). */
export async function enqueueFederationDeliveries(
  database: Database,
  request: FederationDeliveryRequest,
): Promise<ClaimedFederationDelivery[]> {
  const inboxes = [...new Set(request.inboxUrls)];
  const marker = sql`insert into processed_events (consumer, event_id)
    values (${request.consumer}, ${request.eventId}) on conflict do nothing returning 1`;
  const claimed = (rows: ClaimedFederationDelivery[]) =>
    rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }));
  if (inboxes.length <= ENQUEUE_BATCH) {
    // The common case, one statement: the marker and the rows.
    return claimed(
      await queryRows<ClaimedFederationDelivery>(
        database.primary,
        insertDeliveries(request, inboxes, marker),
      ),
    );
  }
  return withTransaction(database, async (transaction) => {
    const [fresh] = await queryRows(transaction, marker);
    if (!fresh) return [];
    const written: ClaimedFederationDelivery[] = [];
    for (let start = 0; start < inboxes.length; start += ENQUEUE_BATCH) {
      const batch = inboxes.slice(start, start + ENQUEUE_BATCH);
      written.push(
        ...(await queryRows<ClaimedFederationDelivery>(
          transaction,
          insertDeliveries(request, batch, sql`select 1`),
        )),
      );
    }
    return claimed(written);
  });
}
