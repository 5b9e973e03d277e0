/**
 * The at-most-once email ledger (reliability R27): one row per (event, recipient, kind).
 *
 * pending ──claim──▶ sending ──▶ sent
 *    ▲                  │ ├───▶ unknown  (handed over, outcome unknown: never resent automatically)
 *    └── clear failure ─┘ └───▶ failed   (too many clear failures)
 * skipped: nothing to send (preferences).
 *
 * The claim is its own short transaction, committed before the SMTP conversation starts, so two
 * deliveries of the same event can never both send. A row left in `sending` by a worker that died
 * mid-send is "maybe sent": after `staleSendingAfterMs` it becomes `unknown`, never `pending`.
 */
import { sql } from 'drizzle-orm';
import type { EmailDeliveryStatus } from '../schema/index.js';
import { queryRows, type Database } from '../client.js';

export interface EmailDeliveryRow {
  id: string;
  eventId: string;
  recipientAccountId: string;
  kind: string;
  status: EmailDeliveryStatus;
  /** The `Message-ID` header, derived from the delivery id: `<kind-id@domain>`. */
  messageId: string;
  attempts: number;
  lastError: string | null;
}

interface RawDelivery {
  id: string;
  event_id: string;
  recipient_account_id: string;
  kind: string;
  status: EmailDeliveryStatus;
  message_id: string;
  attempts: number;
  last_error: string | null;
}

function toRow(raw: RawDelivery): EmailDeliveryRow {
  return {
    id: raw.id,
    eventId: raw.event_id,
    recipientAccountId: raw.recipient_account_id,
    kind: raw.kind,
    status: raw.status,
    messageId: raw.message_id,
    attempts: raw.attempts,
    lastError: raw.last_error,
  };
}

const COLUMNS = sql.raw(
  'id, event_id, recipient_account_id, kind, status, message_id, attempts, last_error',
);

export interface EmailDeliveryKey {
  eventId: string;
  recipientAccountId: string;
  /** e.g. `mention`. Letters, digits and dashes only (it is part of the Message-ID). */
  kind: string;
}

export type EmailClaim =
  /** This caller owns the send now (status `sending`). */
  | { state: 'claimed'; delivery: EmailDeliveryRow }
  /** Another delivery of the event is sending it right now: try again later. */
  | { state: 'in-progress'; delivery: EmailDeliveryRow }
  /** Nothing to do: sent, unknown, failed or skipped. */
  | { state: 'finished'; delivery: EmailDeliveryRow };

function assertKind(kind: string): void {
  if (!/^[a-z0-9-]{1,40}$/.test(kind))
    throw new RangeError(`invalid email kind ${JSON.stringify(kind)}`);
}

async function insertDelivery(
  database: Database,
  key: EmailDeliveryKey,
  messageIdDomain: string,
  status: 'pending' | 'skipped',
  lastError: string | null,
): Promise<void> {
  assertKind(key.kind);
  await database.primary.execute(sql`
    insert into email_deliveries (id, event_id, recipient_account_id, kind, status, message_id, last_error)
    select n.id, ${key.eventId}, ${key.recipientAccountId}, ${key.kind}, ${status},
           '<' || ${key.kind}::text || '-' || n.id::text || '@' || ${messageIdDomain}::text || '>',
           ${lastError}
    from (select snowflake_id() as id) n
    on conflict (event_id, recipient_account_id, kind) do nothing`);
}

/**
 * Creates the ledger row if needed and moves it from `pending` to `sending` (attempts + 1) with a
 * conditional update. Only the caller that gets `claimed` may send.
 */
export async function claimEmailDelivery(
  database: Database,
  key: EmailDeliveryKey & { messageIdDomain: string; staleSendingAfterMs: number },
): Promise<EmailClaim> {
  assertKind(key.kind);
  // One statement: a new row is created already claimed (`sending`, attempt 1); an existing row is
  // claimed only while `pending` (the conditional update on conflict).
  const [claimed] = await queryRows<RawDelivery>(
    database.primary,
    sql`insert into email_deliveries as d
          (id, event_id, recipient_account_id, kind, status, attempts, message_id)
        select n.id, ${key.eventId}, ${key.recipientAccountId}, ${key.kind}, 'sending', 1,
               '<' || ${key.kind}::text || '-' || n.id::text || '@' || ${key.messageIdDomain}::text || '>'
        from (select snowflake_id() as id) n
        on conflict (event_id, recipient_account_id, kind) do update
          set status = 'sending', attempts = d.attempts + 1, updated_at = now()
          where d.status = 'pending'
        returning ${COLUMNS}`,
  );
  if (claimed) return { state: 'claimed', delivery: toRow(claimed) };
  // A worker that died between claiming and recording the outcome may or may not have sent it.
  const [stale] = await queryRows<RawDelivery>(
    database.primary,
    sql`update email_deliveries
        set status = 'unknown', updated_at = now(),
            last_error = 'the sending worker stopped before recording the outcome'
        where event_id = ${key.eventId} and recipient_account_id = ${key.recipientAccountId}
          and kind = ${key.kind} and status = 'sending'
          and updated_at < now() - ${key.staleSendingAfterMs} * interval '1 millisecond'
        returning ${COLUMNS}`,
  );
  if (stale) return { state: 'finished', delivery: toRow(stale) };
  const current = await findEmailDelivery(database, key);
  if (!current) throw new Error('email delivery row vanished while claiming it');
  return current.status === 'sending'
    ? { state: 'in-progress', delivery: current }
    : { state: 'finished', delivery: current };
}

/** Records that no email is sent for this key (e.g. the recipient turned mention emails off). */
export async function recordSkippedEmail(
  database: Database,
  key: EmailDeliveryKey & { messageIdDomain: string; reason: string },
): Promise<void> {
  await insertDelivery(database, key, key.messageIdDomain, 'skipped', key.reason);
}

export type EmailOutcome =
  | { status: 'sent' }
  /** Handed to the server but no confirmation (timeout after DATA): never resent automatically. */
  | { status: 'unknown'; error: string }
  /** Clearly not sent: back to `pending` for a later attempt. */
  | { status: 'pending'; error: string }
  /** Clearly not sent, and no more attempts. */
  | { status: 'failed'; error: string };

/** Records the outcome of a claimed send. Returns false when the row was not `sending` any more. */
export async function recordEmailOutcome(
  database: Database,
  deliveryId: string,
  outcome: EmailOutcome,
): Promise<boolean> {
  const error = outcome.status === 'sent' ? null : outcome.error.slice(0, 1000);
  const rows = await queryRows<{ id: string }>(
    database.primary,
    sql`update email_deliveries
        set status = ${outcome.status}, last_error = ${error}, updated_at = now()
        where id = ${deliveryId} and status = 'sending'
        returning id`,
  );
  return rows.length > 0;
}

export async function findEmailDelivery(
  database: Database,
  key: EmailDeliveryKey,
): Promise<EmailDeliveryRow | null> {
  const [row] = await queryRows<RawDelivery>(
    database.primary,
    sql`select ${COLUMNS} from email_deliveries
        where event_id = ${key.eventId} and recipient_account_id = ${key.recipientAccountId}
          and kind = ${key.kind}`,
  );
  return row ? toRow(row) : null;
}

/** Deliveries per status, e.g. `{ sent: 10, unknown: 1 }` (the `/status` page). */
export async function countEmailDeliveries(
  database: Database,
): Promise<Partial<Record<EmailDeliveryStatus, number>>> {
  const rows = await queryRows<{ status: EmailDeliveryStatus; count: string }>(
    database.primary,
    sql`select status, count(*) as count from email_deliveries group by status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
}
