import {
  newEventId,
  parseEvent,
  type DomainEvent,
  type PostCreated,
  type UserMentioned,
} from '@murmur/events';
import type { Executor } from '../client.js';
import { outboxEvents } from '../schema/index.js';

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

/**
 * Writes events to the outbox inside the caller's transaction, so they exist if and only if the
 * change they describe commits. Each event is validated against its contract first.
 */
export async function enqueueEvents(tx: Executor, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(outboxEvents).values(
    events.map((event) => ({
      id: parseEvent(event).id,
      type: event.type,
      payload: event,
      occurredAt: new Date(event.occurredAt),
    })),
  );
}
