import {
  createEvent,
  parseEvent,
  type DomainEvent,
  type EventData,
  type EventOf,
  type EventType,
} from '@murmur/events';
import { sql, type SQL } from 'drizzle-orm';

/**
 * A new event for the outbox, validated against its contract (see `createEvent`); `requestId` is
 * the HTTP request that caused it, carried for tracing.
 */
export function newEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  requestId: string | null | undefined,
): EventOf<T> {
  return createEvent(type, data, requestId ?? null);
}

/**
 * The statement writing `events` to the outbox, each validated against its contract first; it can
 * stand alone or be a writable CTE of a larger statement, so that the events exist if and only if
 * the change they describe commits. `when`, a boolean SQL condition (e.g. `exists (select 1 from
 * inserted)`), writes them only when the change did happen: an operation that turns out to be a
 * no-op (favouriting twice) writes nothing, in the same single statement.
 */
export function outboxInsert(
  events: readonly DomainEvent[],
  when: SQL = sql`true`,
  dataFromStatement?: SQL,
): SQL {
  const rows = events.map((event) => ({
    id: parseEvent(event).id,
    type: event.type,
    payload: event,
    occurred_at: event.occurredAt,
  }));
  // `dataFromStatement` (a jsonb object of ids the same statement found, e.g. the unwrapped target
  // of a favourite) replaces those fields of each event's data: only values the database produced,
  // so the validated shape holds.
  const payload = dataFromStatement
    ? sql`jsonb_set(e.payload, '{data}', (e.payload -> 'data') || ${dataFromStatement})`
    : sql`e.payload`;
  return sql`insert into outbox_events (id, type, payload, occurred_at)
    select e.id, e.type, ${payload}, e.occurred_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as e(id uuid, type text, payload jsonb, occurred_at timestamptz)
    where ${when}`;
}
