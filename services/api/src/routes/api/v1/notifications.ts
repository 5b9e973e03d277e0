/** Notifications of follows, favourites, reblogs and mentions: list, read one, dismiss, clear, count. */
import {
  clearNotifications,
  dismissNotification,
  getNotification,
  listNotifications,
  unreadNotificationsCount,
} from '@murmur/db/notifications';
import Type from 'typebox';
import { serializeNotification } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  EmptyObject,
  IdParams,
  LenientString,
  PageQuery,
  StringOrList,
} from '../../../schemas/atoms.js';
import { Notification } from '../../../schemas/entities.js';
import {
  entityContext,
  ERRORS,
  pageOf,
  parseBoolean,
  parseLimit,
  setLinkHeaderFor,
  toList,
  userOf,
} from '../_shared.js';

const tags = ['notifications'];
const read = { auth: 'user' as const, scopes: ['read:notifications'] };
const write = { auth: 'user' as const, scopes: ['write:notifications'] };

const ListQuery = Type.Object({
  ...PageQuery,
  types: Type.Optional(StringOrList),
  exclude_types: Type.Optional(StringOrList),
  account_id: Type.Optional(Type.String({ maxLength: 64 })),
  include_filtered: Type.Optional(LenientString),
});

export default async function notificationRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/notifications',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your notifications, newest first',
        querystring: ListQuery,
        response: { 200: Type.Array(Notification), ...ERRORS },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const notifications = await listNotifications(
        database.replica,
        userOf(request),
        pageOf(query, 40, 80),
        {
          types: toList(query.types),
          excludeTypes: toList(query.exclude_types),
          fromAccountId: query.account_id ?? null,
          // Also what the notification policy set aside (apps read a request's this way).
          includeFiltered: parseBoolean(query.include_filtered),
        },
      );
      setLinkHeaderFor(request, reply, notifications);
      const context = entityContext(request);
      return notifications.map((n) => serializeNotification(n, context));
    },
  );

  app.get(
    '/api/v1/notifications/unread_count',
    {
      config: read,
      schema: {
        tags,
        summary: 'How many notifications came after the notifications marker (capped)',
        querystring: Type.Object({ limit: Type.Optional(LenientString) }),
        response: { 200: Type.Object({ count: Type.Integer() }), ...ERRORS },
      },
    },
    async (request) => ({
      count: await unreadNotificationsCount(
        database.replica,
        userOf(request),
        parseLimit(request.query.limit, 100, 1000),
      ),
    }),
  );

  app.get(
    '/api/v1/notifications/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One notification',
        params: IdParams,
        response: { 200: Notification, ...ERRORS },
      },
    },
    async (request) =>
      serializeNotification(
        await getNotification(database.replica, userOf(request), request.params.id),
        entityContext(request),
      ),
  );

  app.post(
    '/api/v1/notifications/:id/dismiss',
    {
      config: write,
      schema: {
        tags,
        summary: 'Dismiss one notification',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await dismissNotification(database, {
        accountId: userOf(request),
        notificationId: request.params.id,
      });
      return {};
    },
  );

  app.post(
    '/api/v1/notifications/clear',
    {
      config: write,
      schema: {
        tags,
        summary: 'Dismiss all notifications',
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await clearNotifications(database, userOf(request));
      return {};
    },
  );
}
