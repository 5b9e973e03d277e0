/**
 * Notification filtering (Mastodon 4.3): the policy (`/api/v2/notifications/policy`, and the v1
 * form older apps use), and the requests holding what it filtered, per sender: list, read, accept
 * (the sender's notifications join the ordinary list, and theirs are never filtered again) or
 * dismiss (they are deleted). The notify step applies the policy when it creates a notification.
 */
import {
  acceptNotificationRequest,
  acceptNotificationRequests,
  dismissNotificationRequest,
  dismissNotificationRequests,
  getNotificationPolicy,
  getNotificationRequest,
  listNotificationRequests,
  updateNotificationPolicy,
  type NotificationPolicyView,
  type NotificationRequestView,
} from '@murmur/db/notifications';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  EmptyObject,
  IdParams,
  LenientBoolean,
  PageQuery,
  StringOrList,
} from '../../../schemas/atoms.js';
import { Account, Status } from '../../../schemas/entities.js';
import {
  ERRORS,
  pageOf,
  parseBoolean,
  sendJsonText,
  setLinkHeaderFor,
  toList,
  userOf,
} from '../_shared.js';

const tags = ['notifications'];
const read = { auth: 'user' as const, scopes: ['read:notifications'] };
const write = { auth: 'user' as const, scopes: ['write:notifications'] };

const Action = Type.Union([Type.Literal('accept'), Type.Literal('filter'), Type.Literal('drop')]);

const Summary = Type.Object({
  pending_requests_count: Type.Integer(),
  pending_notifications_count: Type.Integer(),
});

const NotificationPolicy = Type.Object(
  {
    for_not_following: Action,
    for_not_followers: Action,
    for_new_accounts: Action,
    for_private_mentions: Action,
    for_limited_accounts: Action,
    summary: Summary,
  },
  { description: 'NotificationPolicy' },
);

const V1NotificationPolicy = Type.Object(
  {
    filter_not_following: Type.Boolean(),
    filter_not_followers: Type.Boolean(),
    filter_new_accounts: Type.Boolean(),
    filter_private_mentions: Type.Boolean(),
    summary: Summary,
  },
  { description: 'V1::NotificationPolicy' },
);

const NotificationRequest = Type.Object(
  {
    id: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
    account: Account,
    notifications_count: Type.String(),
    last_status: Type.Union([Status, Type.Null()]),
  },
  { description: 'NotificationRequest' },
);

const summaryOf = (policy: NotificationPolicyView) => ({
  pending_requests_count: policy.summary.pendingRequestsCount,
  pending_notifications_count: policy.summary.pendingNotificationsCount,
});

function serializePolicy(policy: NotificationPolicyView) {
  return {
    for_not_following: policy.forNotFollowing,
    for_not_followers: policy.forNotFollowers,
    for_new_accounts: policy.forNewAccounts,
    for_private_mentions: policy.forPrivateMentions,
    for_limited_accounts: policy.forLimitedAccounts,
    summary: summaryOf(policy),
  };
}

/** The v1 form: `filter_*` is true when the policy does anything but accept. */
function serializeV1Policy(policy: NotificationPolicyView) {
  return {
    filter_not_following: policy.forNotFollowing !== 'accept',
    filter_not_followers: policy.forNotFollowers !== 'accept',
    filter_new_accounts: policy.forNewAccounts !== 'accept',
    filter_private_mentions: policy.forPrivateMentions !== 'accept',
    summary: summaryOf(policy),
  };
}

/** The NotificationRequest entity as JSON text (its status written by the shared status writer). */
function requestJson(request: FastifyRequest, view: NotificationRequestView): string {
  const lastStatus = view.lastStatus
    ? request.server.statusJson.status(view.lastStatus, userOf(request))
    : 'null';
  return `{"id":${JSON.stringify(view.id)},"created_at":${JSON.stringify(
    view.createdAt.toISOString(),
  )},"updated_at":${JSON.stringify(view.updatedAt.toISOString())},"account":${JSON.stringify(
    serializeAccount(view.account, request.server.config.publicOrigin),
  )},"notifications_count":"${view.notificationsCount}","last_status":${lastStatus}}`;
}

const PolicyBody = Type.Object({
  for_not_following: Type.Optional(Action),
  for_not_followers: Type.Optional(Action),
  for_new_accounts: Type.Optional(Action),
  for_private_mentions: Type.Optional(Action),
  for_limited_accounts: Type.Optional(Action),
});

const V1PolicyBody = Type.Object({
  filter_not_following: Type.Optional(LenientBoolean),
  filter_not_followers: Type.Optional(LenientBoolean),
  filter_new_accounts: Type.Optional(LenientBoolean),
  filter_private_mentions: Type.Optional(LenientBoolean),
});

/** `id[]` of the bulk actions, in the body (or the query, as some apps send it). */
const IdsBody = Type.Object({ id: Type.Optional(StringOrList) });

export default async function notificationRequestRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v2/notifications/policy',
    {
      config: read,
      schema: {
        tags,
        summary:
          'Your notification policy: what happens to notifications from people you do not know',
        response: { 200: NotificationPolicy, ...ERRORS },
      },
    },
    async (request) =>
      serializePolicy(await getNotificationPolicy(database.primary, userOf(request))),
  );

  // Rails' `update` answers PATCH and PUT alike; masto.js sends PUT.
  app.route({
    method: ['PATCH', 'PUT'],
    url: '/api/v2/notifications/policy',
    config: write,
    schema: {
      tags,
      summary: 'Change your notification policy (accept, filter or drop, for each kind of sender)',
      body: Type.Optional(PolicyBody),
      response: { 200: NotificationPolicy, ...ERRORS },
    },
    handler: async (request) => {
      const accountId = userOf(request);
      const body = request.body ?? {};
      await updateNotificationPolicy(database, accountId, {
        forNotFollowing: body.for_not_following,
        forNotFollowers: body.for_not_followers,
        forNewAccounts: body.for_new_accounts,
        forPrivateMentions: body.for_private_mentions,
        forLimitedAccounts: body.for_limited_accounts,
      });
      return serializePolicy(await getNotificationPolicy(database.primary, accountId));
    },
  });

  app.get(
    '/api/v1/notifications/policy',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your notification policy, in the form of Mastodon 4.3.0 (booleans)',
        response: { 200: V1NotificationPolicy, ...ERRORS },
      },
    },
    async (request) =>
      serializeV1Policy(await getNotificationPolicy(database.primary, userOf(request))),
  );

  // Rails' `update` answers PATCH and PUT alike; masto.js sends PUT.
  app.route({
    method: ['PATCH', 'PUT'],
    url: '/api/v1/notifications/policy',
    config: write,
    schema: {
      tags,
      summary: 'Change your notification policy (true filters, false accepts)',
      body: Type.Optional(V1PolicyBody),
      response: { 200: V1NotificationPolicy, ...ERRORS },
    },
    handler: async (request) => {
      const accountId = userOf(request);
      const body = request.body ?? {};
      const action = (raw: boolean | string | undefined) =>
        raw === undefined
          ? undefined
          : parseBoolean(raw)
            ? ('filter' as const)
            : ('accept' as const);
      await updateNotificationPolicy(database, accountId, {
        forNotFollowing: action(body.filter_not_following),
        forNotFollowers: action(body.filter_not_followers),
        forNewAccounts: action(body.filter_new_accounts),
        forPrivateMentions: action(body.filter_private_mentions),
      });
      return serializeV1Policy(await getNotificationPolicy(database.primary, accountId));
    },
  });

  app.get(
    '/api/v1/notifications/requests',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your pending notification requests (one per sender), newest first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(NotificationRequest), ...ERRORS },
      },
    },
    async (request, reply) => {
      // The worker writes them: read on the primary, so one just opened is there.
      const requests = await listNotificationRequests(
        database.primary,
        userOf(request),
        pageOf(request.query, 40, 80),
      );
      setLinkHeaderFor(request, reply, requests);
      return sendJsonText(reply, `[${requests.map((r) => requestJson(request, r)).join(',')}]`);
    },
  );

  app.get(
    '/api/v1/notifications/requests/merged',
    {
      config: read,
      schema: {
        tags,
        summary:
          'Whether accepted requests have been merged into your notifications: always, since accepting merges them at once',
        response: { 200: Type.Object({ merged: Type.Boolean() }), ...ERRORS },
      },
    },
    async () => ({ merged: true }),
  );

  app.get(
    '/api/v1/notifications/requests/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One of your notification requests',
        params: IdParams,
        response: { 200: NotificationRequest, ...ERRORS },
      },
    },
    async (request, reply) => {
      const view = await getNotificationRequest(
        database.primary,
        userOf(request),
        request.params.id,
      );
      return sendJsonText(reply, requestJson(request, view));
    },
  );

  for (const [action, one, many, summary] of [
    [
      'accept',
      acceptNotificationRequest,
      acceptNotificationRequests,
      'its notifications join your list, and this sender is not filtered again',
    ],
    [
      'dismiss',
      dismissNotificationRequest,
      dismissNotificationRequests,
      'its notifications are deleted',
    ],
  ] as const) {
    app.post(
      `/api/v1/notifications/requests/:id/${action}`,
      {
        config: write,
        schema: {
          tags,
          summary: `${action === 'accept' ? 'Accept' : 'Dismiss'} a notification request: ${summary}`,
          params: IdParams,
          response: { 200: EmptyObject, ...ERRORS },
        },
      },
      async (request) => {
        await one(database, userOf(request), request.params.id);
        return {};
      },
    );

    app.post(
      `/api/v1/notifications/requests/${action}`,
      {
        config: write,
        schema: {
          tags,
          summary: `${action === 'accept' ? 'Accept' : 'Dismiss'} several notification requests (\`id[]\`; unknown ids are skipped): ${summary}`,
          querystring: IdsBody,
          body: Type.Optional(IdsBody),
          response: { 200: EmptyObject, ...ERRORS },
        },
      },
      async (request) => {
        const ids = [...toList(request.body?.id), ...toList(request.query.id)];
        await many(database, userOf(request), [...new Set(ids)].slice(0, 100));
        return {};
      },
    );
  }
}
