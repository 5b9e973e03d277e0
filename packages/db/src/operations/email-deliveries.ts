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
import { sql, type SQL } from 'drizzle-orm';
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

/** The `Message-ID` of a delivery, from its kind, id and domain: `<kind-id@domain>`. */
function messageIdSql(kind: SQL, id: SQL, domain: string): SQL {
  return sql`'<' || ${kind}::text || '-' || ${id}::text || '@' || ${domain}::text || '>'`;
}

const STALE_SENDING_ERROR = 'the sending worker stopped before recording the outcome';

/** One delivery to claim for sending or, when `skipReason` is set, to record as `skipped`. */
export interface EmailDeliveryRequest extends EmailDeliveryKey {
  /** Nothing is to be sent (e.g. the recipient turned these e-mails off). */
  skipReason?: string;
}

export interface EmailClaimOptions {
  messageIdDomain: string;
  /**
   * A row still `sending` this long after its claim belongs to a worker that died mid-send: it may
   * or may not have been sent, so it becomes `unknown` (never resent).
   */
  staleSendingAfterMs: number;
}

const keyOf = (k: EmailDeliveryKey) =>
  `${k.eventId.toLowerCase()} ${k.recipientAccountId} ${k.kind}`;

/**
 * Claims many deliveries in ONE statement. A new row is created already claimed (`sending`, attempt
 * 1); an existing row is claimed only while `pending` (a conditional `on conflict do update`); a row
 * left `sending` by a dead worker past `staleSendingAfterMs` becomes `unknown`. Requests with a
 * `skipReason` get a `skipped` row unless one exists. Only a caller that gets `claimed` may send.
 * One result per request, in order; a key listed twice is claimed once (the repeat gets
 * `in-progress`). Rows the statement neither created nor changed (a redelivery of an event handled
 * before) are read back in one more statement.
 */
export async function claimEmailDeliveries(
  database: Database,
  requests: readonly EmailDeliveryRequest[],
  options: EmailClaimOptions,
): Promise<EmailClaim[]> {
  const unique = new Map<string, EmailDeliveryRequest>();
  for (const request of requests) {
    assertKind(request.kind);
    if (!unique.has(keyOf(request))) unique.set(keyOf(request), request);
  }
  if (unique.size === 0) return [];
  const list = [...unique.values()];
  const column = (pick: (r: EmailDeliveryRequest) => string | null) => sql.param(list.map(pick));
  const messageId = messageIdSql(sql`kind`, sql`id`, options.messageIdDomain);
  const changed = await queryRows<RawDelivery>(
    database.primary,
    sql`with req as (
          select r.*, snowflake_id() as id from unnest(
            ${column((r) => r.eventId)}::uuid[], ${column((r) => r.recipientAccountId)}::bigint[],
            ${column((r) => r.kind)}::text[], ${column((r) => r.skipReason?.slice(0, 1000) ?? null)}::text[]
          ) as r(event_id, recipient_account_id, kind, skip_reason)
        ),
        skipped as (
          insert into email_deliveries
            (id, event_id, recipient_account_id, kind, status, message_id, last_error)
          select id, event_id, recipient_account_id, kind, 'skipped', ${messageId}, skip_reason
          from req where skip_reason is not null
          order by event_id, recipient_account_id
          on conflict (event_id, recipient_account_id, kind) do nothing
          returning ${COLUMNS}
        ),
        claimed as (
          insert into email_deliveries as d
            (id, event_id, recipient_account_id, kind, status, attempts, message_id)
          select id, event_id, recipient_account_id, kind, 'sending', 1, ${messageId}
          from req where skip_reason is null
          order by event_id, recipient_account_id
          on conflict (event_id, recipient_account_id, kind) do update
            set status = case when d.status = 'pending' then 'sending' else 'unknown' end,
                attempts = d.attempts + case when d.status = 'pending' then 1 else 0 end,
                last_error = case when d.status = 'pending' then d.last_error
                                  else ${STALE_SENDING_ERROR} end,
                updated_at = now()
            where d.status = 'pending'
               or (d.status = 'sending'
                   and d.updated_at < now() - ${options.staleSendingAfterMs} * interval '1 millisecond')
          returning ${COLUMNS}
        )
        select * from skipped union all select * from claimed`,
    // Planned once per connection: the plan does not depend on the values (arrays of keys).
    { prepared: true },
  );
  const claims = new Map<string, EmailClaim>();
  for (const raw of changed) {
    const delivery = toRow(raw);
    claims.set(
      keyOf(deliveryKey(delivery)),
      delivery.status === 'sending'
        ? { state: 'claimed', delivery }
        : { state: 'finished', delivery },
    );
  }
  const untouched = list.filter((r) => !claims.has(keyOf(r)));
  for (const delivery of await findEmailDeliveries(database, untouched)) {
    const request = unique.get(keyOf(deliveryKey(delivery)))!;
    // Another delivery of the event holds the claim, or will retry a clear failure: not ours to send.
    const busy =
      delivery.status === 'sending' || (delivery.status === 'pending' && !request.skipReason);
    claims.set(keyOf(deliveryKey(delivery)), {
      state: busy ? 'in-progress' : 'finished',
      delivery,
    });
  }
  const handedOut = new Set<string>();
  return requests.map((request) => {
    const key = keyOf(request);
    const claim = claims.get(key);
    if (!claim) throw new Error('email delivery row vanished while claiming it');
    const repeat = handedOut.has(key);
    handedOut.add(key);
    return repeat && claim.state === 'claimed' ? { ...claim, state: 'in-progress' } : claim;
  });
}

function deliveryKey(delivery: EmailDeliveryRow): EmailDeliveryKey {
  return {
    eventId: delivery.eventId,
    recipientAccountId: delivery.recipientAccountId,
    kind: delivery.kind,
  };
}

/**
 * Creates the ledger row if needed and moves it from `pending` to `sending` (attempts + 1) with a
 * conditional update (`claimEmailDeliveries` for one key). Only the caller that gets `claimed` may send.
 */
export async function claimEmailDelivery(
  database: Database,
  key: EmailDeliveryKey & EmailClaimOptions,
): Promise<EmailClaim> {
  const { messageIdDomain, staleSendingAfterMs, ...request } = key;
  const [claim] = await claimEmailDeliveries(database, [request], {
    messageIdDomain,
    staleSendingAfterMs,
  });
  return claim!;
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

async function findEmailDeliveries(
  database: Database,
  keys: readonly EmailDeliveryKey[],
): Promise<EmailDeliveryRow[]> {
  if (keys.length === 0) return [];
  const column = (pick: (k: EmailDeliveryKey) => string) => sql.param(keys.map(pick));
  const rows = await queryRows<RawDelivery>(
    database.primary,
    sql`select ${COLUMNS} from email_deliveries
        join unnest(
          ${column((k) => k.eventId)}::uuid[], ${column((k) => k.recipientAccountId)}::bigint[],
          ${column((k) => k.kind)}::text[]
        ) as k(event_id, recipient_account_id, kind) using (event_id, recipient_account_id, kind)`,
  );
  return rows.map(toRow);
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
