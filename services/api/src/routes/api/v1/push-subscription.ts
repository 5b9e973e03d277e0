/**
 * Mastodon's Web Push subscription (`/api/v1/push/subscription`): one per access token, so an app
 * manages the subscription of the token it holds. The worker's `push` consumer delivers to it. While
 * push is off (no VAPID keys, or PUSH_ENABLED=false) nothing can be subscribed, and the answers say
 * why instead of pretending.
 */
import {
  findWebPushSubscription,
  subscribeWebPush,
  unsubscribeWebPush,
  updateWebPushSubscription,
  WEB_PUSH_ALERTS,
  type WebPushSubscription,
} from '@murmur/db/notifications';
import { sealAccessToken } from '@murmur/service-kit';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { bearerToken } from '../../../plugins/auth.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { HttpError } from '../../../plugins/errors.js';
import { EmptyObject, LenientBoolean } from '../../../schemas/atoms.js';
import { ERRORS, parseBoolean, userOf } from '../_shared.js';

const Key = Type.String({ maxLength: 256 });
const Alerts = Type.Record(Type.String({ maxLength: 32 }), LenientBoolean, {
  maxProperties: 32,
});
const Policy = Type.String({ maxLength: 16 });
/** `data.alerts.*` and `data.policy`; the policy is also read at the top level (as documented). */
const SubscriptionData = {
  data: Type.Optional(
    Type.Object({ alerts: Type.Optional(Alerts), policy: Type.Optional(Policy) }),
  ),
  policy: Type.Optional(Policy),
};

const WebPushSubscription = Type.Object({
  id: Type.String(),
  endpoint: Type.String(),
  standard: Type.Boolean(),
  alerts: Type.Object(
    Object.fromEntries(WEB_PUSH_ALERTS.map((name) => [name, Type.Boolean()])) as Record<
      (typeof WEB_PUSH_ALERTS)[number],
      ReturnType<typeof Type.Boolean>
    >,
  ),
  policy: Type.String(),
  server_key: Type.String(),
});

const PushScopes: { auth: 'user'; scopes: string[] } = { auth: 'user', scopes: ['push'] };

function serialize(row: WebPushSubscription, serverKey: string) {
  const on = new Set(row.alerts);
  return {
    id: row.id,
    endpoint: row.endpoint,
    standard: row.standard,
    alerts: Object.fromEntries(WEB_PUSH_ALERTS.map((name) => [name, on.has(name)])) as Record<
      (typeof WEB_PUSH_ALERTS)[number],
      boolean
    >,
    policy: row.policy,
    server_key: serverKey,
  };
}

function parsedAlerts(
  alerts: Record<string, boolean | string> | undefined,
): Record<string, boolean> | undefined {
  if (alerts === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(alerts).map(([name, value]) => [name, parseBoolean(value)]),
  );
}

function tokenIdOf(request: FastifyRequest): string {
  const tokenId = request.auth?.tokenId;
  if (!tokenId) throw new Error('push routes require a token');
  return tokenId;
}

export default async function pushSubscriptionRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const push = config.webPush;

  /** The VAPID pair, or the answer that push is off here. */
  function vapid(status: 404 | 422): { publicKey: string; privateKey: string } {
    if (push.enabled) return push;
    throw new HttpError(status, {
      error: `Web Push is not available on this server: ${push.reason}`,
    });
  }

  app.post(
    '/api/v1/push/subscription',
    {
      config: PushScopes,
      schema: {
        tags: ['push'],
        summary: "Subscribe this token to Web Push (replaces the token's subscription)",
        body: Type.Object({
          subscription: Type.Object({
            endpoint: Type.String({ maxLength: 4096 }),
            keys: Type.Object({ p256dh: Key, auth: Key }),
            standard: Type.Optional(LenientBoolean),
          }),
          ...SubscriptionData,
        }),
        response: { 200: WebPushSubscription, ...ERRORS },
      },
    },
    async (request) => {
      const keys = vapid(422);
      const { subscription, data } = request.body;
      const row = await subscribeWebPush(database, {
        accountId: userOf(request),
        accessTokenId: tokenIdOf(request),
        endpoint: subscription.endpoint,
        keys: subscription.keys,
        standard: parseBoolean(subscription.standard),
        alerts: parsedAlerts(data?.alerts) ?? {},
        policy: data?.policy ?? request.body.policy ?? 'all',
        accessTokenSealed: sealAccessToken(keys.privateKey, bearerToken(request)!),
      });
      return serialize(row, keys.publicKey);
    },
  );

  app.get(
    '/api/v1/push/subscription',
    {
      config: PushScopes,
      schema: {
        tags: ['push'],
        summary: "This token's Web Push subscription",
        response: { 200: WebPushSubscription, ...ERRORS },
      },
    },
    async (request) => {
      const keys = vapid(404);
      const row = await findWebPushSubscription(database.primary, tokenIdOf(request));
      if (!row) throw new HttpError(404, { error: 'Record not found' });
      return serialize(row, keys.publicKey);
    },
  );

  app.put(
    '/api/v1/push/subscription',
    {
      config: PushScopes,
      schema: {
        tags: ['push'],
        summary: 'Change the alerts or the policy of this token’s subscription',
        body: Type.Optional(Type.Object(SubscriptionData)),
        response: { 200: WebPushSubscription, ...ERRORS },
      },
    },
    async (request) => {
      const keys = vapid(404);
      const body = request.body ?? {};
      const row = await updateWebPushSubscription(database, {
        accessTokenId: tokenIdOf(request),
        alerts: parsedAlerts(body.data?.alerts),
        policy: body.data?.policy ?? body.policy,
      });
      return serialize(row, keys.publicKey);
    },
  );

  app.delete(
    '/api/v1/push/subscription',
    {
      config: PushScopes,
      schema: {
        tags: ['push'],
        summary: "Remove this token's subscription",
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await unsubscribeWebPush(database, tokenIdOf(request));
      return {};
    },
  );
}
