import {
  newEventId,
  parseEvent,
  type DomainEvent,
  type MediaUploaded,
  type PostCreated,
  type ProfileEvent,
  type UserMentioned,
} from '@murmur/events';
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../client.js';

type EventData<E extends DomainEvent> = E['data'];

export function postCreatedEvent(
  data: EventData<PostCreated>,
  requestId: string | null,
): PostCreated {
  return {
    id: newEventId(),
    type: 'PostCreated',
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId,
    data,
  };
}

export function userMentionedEvent(
  data: EventData<UserMentioned>,
  requestId: string | null,
): UserMentioned {
  return {
    id: newEventId(),
    type: 'UserMentioned',
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId,
    data,
  };
}

export function mediaUploadedEvent(
  data: EventData<MediaUploaded>,
  requestId: string | null,
): MediaUploaded {
  return {
    id: newEventId(),
    type: 'MediaUploaded',
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId,
    data,
  };
}

/**
 * The statement writing `events` to the outbox, each validated against its contract first; it can
 * stand alone or be a writable CTE of a larger statement, so that the events exist if and only if
 * the change they describe commits.
 */
export function outboxInsert(events: readonly DomainEvent[]): SQL {
  const rows = events.map((event) => ({
    id: parseEvent(event).id,
    type: event.type,
    payload: event,
    occurred_at: event.occurredAt,
  }));
  return sql`insert into outbox_events (id, type, payload, occurred_at)
    select e.id, e.type, e.payload, e.occurred_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as e(id uuid, type text, payload jsonb, occurred_at timestamptz)`;
}

/** Writes events to the outbox inside the caller's transaction (see `outboxInsert`). */
export async function enqueueEvents(tx: Executor, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.execute(outboxInsert(events));
}

/** An event about what a profile shows (a pin, a featured tag, an endorsement, a removed follower). */
export function profileEvent<E extends ProfileEvent>(
  type: E['type'],
  data: E['data'],
  requestId: string | null,
): E {
  return {
    id: newEventId(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId,
    data,
  } as E;
}
