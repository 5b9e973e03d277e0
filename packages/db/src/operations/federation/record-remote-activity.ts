/**
 * The inbox's one write: a verified activity becomes a `RemoteActivityReceived` event, in one
 * statement with its id's row in `received_activities`, so a redelivered activity writes nothing.
 * The worker applies it; the inbox answers at once.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { newEvent, outboxInsert } from '../outbox.js';

export interface RemoteActivityInput {
  activityId: string;
  activityType: string;
  actorUri: string;
  activity: Record<string, unknown>;
  requestId?: string | null;
}

/** True when the activity was recorded now, false when it had been already. */
export async function recordRemoteActivity(
  database: Database,
  input: RemoteActivityInput,
): Promise<boolean> {
  const event = newEvent(
    'RemoteActivityReceived',
    {
      activityId: input.activityId,
      activityType: input.activityType,
      actorUri: input.actorUri,
      activity: input.activity,
    },
    input.requestId,
  );
  const rows = await queryRows(
    database.primary,
    sql`with inserted as (
        insert into received_activities (activity_id) values (${input.activityId})
        on conflict do nothing returning 1
      ), recorded as (${outboxInsert([event], sql`exists (select 1 from inserted)`)} returning 1)
      select 1 from recorded`,
  );
  return rows.length > 0;
}
