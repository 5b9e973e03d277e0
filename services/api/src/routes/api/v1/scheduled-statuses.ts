/** Scheduled statuses: list, read, move and cancel them (scheduling is `scheduled_at` on a post). */
import { DomainError } from '@murmur/db';
import {
  cancelScheduledStatus,
  findScheduledStatus,
  listScheduledStatuses,
  rescheduleStatus,
} from '@murmur/db/statuses';
import Type from 'typebox';
import { serializeScheduledStatus } from '../../../entities/scheduled-status.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams, PageQuery } from '../../../schemas/atoms.js';
import { ScheduledStatus } from '../../../schemas/entities.js';
import { ERRORS, pageOf, setLinkHeaderFor, userOf } from '../_shared.js';

const tags = ['scheduled_statuses'];

/** `scheduled_at` as a client sends it (ISO 8601); an unreadable one is a 422 from the rules. */
export function parseScheduledAt(raw: string): Date {
  return new Date(raw);
}

export default async function scheduledStatusRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;
  const scopes = { read: ['read:statuses'], write: ['write:statuses'] };

  app.get(
    '/api/v1/scheduled_statuses',
    {
      config: { auth: 'user', scopes: scopes.read },
      schema: {
        tags,
        summary: 'Your scheduled statuses, newest first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(ScheduledStatus), ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query, 20, 40);
      const items = await listScheduledStatuses(database.primary, userOf(request), page);
      setLinkHeaderFor(request, reply, items);
      return items.map((item) => serializeScheduledStatus(item, origin));
    },
  );

  app.get(
    '/api/v1/scheduled_statuses/:id',
    {
      config: { auth: 'user', scopes: scopes.read },
      schema: {
        tags,
        summary: 'One of your scheduled statuses',
        params: IdParams,
        response: { 200: ScheduledStatus, ...ERRORS },
      },
    },
    async (request) => {
      const item = await findScheduledStatus(database.primary, userOf(request), request.params.id);
      if (!item) throw new DomainError('StatusNotFound', 'Record not found');
      return serializeScheduledStatus(item, origin);
    },
  );

  app.put(
    '/api/v1/scheduled_statuses/:id',
    {
      config: { auth: 'user', scopes: scopes.write },
      schema: {
        tags,
        summary: 'Move a scheduled status to another time (at least 5 minutes ahead)',
        params: IdParams,
        body: Type.Object({ scheduled_at: Type.String({ maxLength: 64 }) }),
        response: { 200: ScheduledStatus, ...ERRORS },
      },
    },
    async (request) => {
      const item = await rescheduleStatus(database, {
        accountId: userOf(request),
        scheduledStatusId: request.params.id,
        scheduledAt: parseScheduledAt(request.body.scheduled_at),
      });
      return serializeScheduledStatus(item, origin);
    },
  );

  app.delete(
    '/api/v1/scheduled_statuses/:id',
    {
      config: { auth: 'user', scopes: scopes.write },
      schema: {
        tags,
        summary: 'Cancel a scheduled status',
        params: IdParams,
        response: { 200: Type.Object({}), ...ERRORS },
      },
    },
    async (request) => {
      await cancelScheduledStatus(database, {
        accountId: userOf(request),
        scheduledStatusId: request.params.id,
      });
      return {};
    },
  );
}
